"""Seeded generator of synthetic companies, job postings and résumés with realistic shapes.

The shapes that matter for matching performance imitate Russian job boards:

- Skill popularity is Zipf-distributed over a pool of about 200 skills. A seeded
  permutation decides which skill gets which rank. Every role adds its own core skills.
  A posting lists 3 to 12 skills (right-skewed), a résumé 0 to 20 (about 3% list none).
- Company sizes are lognormal, so a few companies are huge, and postings go to companies
  in proportion to size.
- ``created_at`` falls between 2024-01-01 and 2025-12-31 UTC, fewer postings appear at
  weekends, and ids grow with ``created_at``.
- About 40% of postings state no salary. Some state one end only, some the same figure at
  both ends. Amounts are lognormal, mostly in RUB, a few in USD or EUR.
- Titles are about 60% Russian. Descriptions and résumé texts come from template sentences
  in the title's language and spell some skills in Russian or in lowercase
  (``машинное обучение``, ``postgres``), as people do.

The same seed gives identical frames for the pinned NumPy, pandas and Python versions.
Rows are generated in fixed-size chunks, each from its own random stream, so the chunk
intermediates stay small and the output does not depend on the progress bar.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from mismatch_core.model import Company, Job, Resume

logger = logging.getLogger(__name__)

MAX_ROWS = 10_000_000
"""Largest accepted ``n_jobs``, ``n_resumes`` or ``n_companies``.

It catches a typo such as an extra zero. The frames are held in memory in full.
"""

JOBS_PER_COMPANY = 20
"""Default ratio of postings to companies when ``n_companies`` is not given."""

SKILL_ZIPF_EXPONENT = 1.0
CITY_ZIPF_EXPONENT = 1.1

START_DATE = np.datetime64("2024-01-01", "D")
END_DATE = np.datetime64("2026-01-01", "D")
"""``created_at`` lies in ``[START_DATE, END_DATE)``, in UTC."""

COMPANY_COLUMNS = ("id", "name", "size")
JOB_COLUMNS = (
    "id",
    "title",
    "description",
    "company_id",
    "created_at",
    "location",
    "remote",
    "salary_min",
    "salary_max",
    "currency",
    "experience_years",
    "skills",
)
RESUME_COLUMNS = (
    "id",
    "title",
    "text",
    "skills",
    "experience_years",
    "location",
    "desired_salary",
    "currency",
)
_TABLE_COLUMNS = {"companies": COMPANY_COLUMNS, "jobs": JOB_COLUMNS, "resumes": RESUME_COLUMNS}

FORMATS = ("parquet", "csv")
MANIFEST_NAME = "manifest.json"
CSV_SKILL_SEPARATOR = "|"

_CHUNK_ROWS = 20_000

# Independent random streams. A chunk's stream is keyed by (stream, chunk index).
_STREAM_SKILL_RANKS = 0
_STREAM_COMPANIES = 1
_STREAM_CREATED_AT = 2
_STREAM_JOBS = 3
_STREAM_RESUMES = 4

# Shares and distribution parameters. The salary medians and spreads are rough estimates
# for the Russian market in 2024-2025.
_RUSSIAN_TITLE_SHARE = 0.6
_REMOTE_SHARE = 0.25
_JOB_SALARY_MISSING = 0.40
_JOB_EXPERIENCE_MISSING = 0.15
_JOB_EXPERIENCE_YEARS = np.array([0.0, 1.0, 3.0, 6.0])
_RESUME_RUSSIAN_SHARE = 0.5
_RESUME_SALARY_MISSING = 0.30
_RESUME_EXPERIENCE_MISSING = 0.05
_RESUME_LOCATION_MISSING = 0.04
_RESUME_NO_SKILLS = 0.03
_RESUME_EMPTY_TEXT = 0.02
_COMPANY_SIZE_LOG_MEAN = 2.5
_COMPANY_SIZE_LOG_SIGMA = 2.0
_SALARY_LOG_SIGMA = 0.3

# Of the postings that state a salary: a range, one figure at both ends, only a minimum
# ("from"), only a maximum ("up to").
_SALARY_SHAPE_SHARES = (0.47, 0.25, 0.17, 0.11)

# Monthly amounts are drawn in RUB and converted at approximate 2024-2025 exchange rates.
_CURRENCIES = ("RUB", "USD", "EUR")
_CURRENCY_SHARES = (0.93, 0.045, 0.025)
_RUB_PER_UNIT = np.array([1.0, 90.0, 100.0])
_ROUNDING_STEP = np.array([5000.0, 100.0, 100.0])

_EN = 0
_RU = 1


@dataclass(frozen=True, slots=True)
class _Role:
    family: str
    title_en: str
    title_ru: str
    weight: float  # relative share of postings
    median_rub: int  # monthly gross salary of a mid-level posting in Moscow
    core_skills: tuple[str, ...]
    duties_en: tuple[str, str]  # verb phrases: "You will {duty}."
    duties_ru: tuple[str, str]  # noun phrases: "Задачи: {duty}."

    def duties(self, language: int) -> tuple[str, str]:
        return self.duties_ru if language == _RU else self.duties_en


_ROLES = (
    _Role(
        "it", "Python Developer", "Python-разработчик", 4.0, 250_000,
        ("Python", "Django", "FastAPI", "PostgreSQL", "SQL", "Docker", "Git", "REST API"),
        ("build and maintain backend services", "design REST APIs for partner teams"),
        ("разработка и поддержка серверных сервисов", "проектирование API для команд партнеров"),
    ),
    _Role(
        "it", "Java Developer", "Java-разработчик", 3.5, 270_000,
        ("Java", "Spring", "SQL", "PostgreSQL", "Apache Kafka", "Git", "Microservices",
         "Docker"),
        ("develop high-load microservices", "improve the reliability of payment systems"),
        ("разработка высоконагруженных микросервисов", "повышение надежности платежных систем"),
    ),
    _Role(
        "it", "Frontend Developer", "Frontend-разработчик", 3.5, 220_000,
        ("JavaScript", "TypeScript", "React", "HTML", "CSS", "Git", "Redux", "Vue.js"),
        ("build responsive user interfaces", "turn design mockups into reusable components"),
        ("разработка адаптивных интерфейсов", "верстка переиспользуемых компонентов по макетам"),
    ),
    _Role(
        "it", "Go Developer", "Go-разработчик", 1.5, 300_000,
        ("Go", "PostgreSQL", "Docker", "Kubernetes", "gRPC", "Apache Kafka", "Redis", "Linux"),
        ("write fast network services", "scale storage and messaging systems"),
        ("разработка быстрых сетевых сервисов", "масштабирование систем хранения и очередей"),
    ),
    _Role(
        "it", "C# Developer", "C#-разработчик", 1.5, 230_000,
        ("C#", ".NET", "ASP.NET", "SQL", "Microsoft SQL Server", "Git", "Entity Framework"),
        ("develop enterprise web applications", "maintain integrations with ERP systems"),
        ("разработка корпоративных веб-приложений", "поддержка интеграций с ERP-системами"),
    ),
    _Role(
        "it", "iOS Developer", "iOS-разработчик", 1.0, 260_000,
        ("Swift", "iOS", "UIKit", "SwiftUI", "Xcode", "Git", "REST API"),
        ("ship new features of a mobile app", "make the app faster and more stable"),
        ("разработка новых функций мобильного приложения", "повышение стабильности приложения"),
    ),
    _Role(
        "it", "Android Developer", "Android-разработчик", 1.0, 250_000,
        ("Kotlin", "Android", "Java", "Android SDK", "Jetpack Compose", "Git", "REST API"),
        ("ship new features of a mobile app", "keep the app compatible with new devices"),
        ("разработка новых функций мобильного приложения", "поддержка новых устройств"),
    ),
    _Role(
        "it", "DevOps Engineer", "DevOps-инженер", 2.0, 280_000,
        ("Linux", "Docker", "Kubernetes", "Ansible", "Terraform", "CI/CD", "Bash", "Prometheus"),
        ("automate build and deployment pipelines", "run and monitor production clusters"),
        ("автоматизация сборки и развертывания", "эксплуатация и мониторинг кластеров"),
    ),
    _Role(
        "it", "QA Engineer", "Инженер по тестированию", 2.5, 160_000,
        ("Manual testing", "Test automation", "SQL", "Postman", "Selenium", "Jira",
         "API testing", "Python"),
        ("write and run test cases", "automate regression testing"),
        ("составление и прохождение тест-кейсов", "автоматизация регрессионного тестирования"),
    ),
    _Role(
        "it", "System Administrator", "Системный администратор", 2.5, 110_000,
        ("Linux", "Windows Server", "Active Directory", "Computer networks", "Bash",
         "Virtualization", "Technical support"),
        ("keep office servers and networks running", "support users and their workstations"),
        ("обслуживание серверов и сетей офиса", "поддержка пользователей и рабочих мест"),
    ),
    _Role(
        "it", "1C Developer", "Программист 1С", 2.0, 200_000,
        ("1C", "SQL", "Business process automation", "Accounting", "Git", "Data exchange"),
        ("customize accounting configurations", "automate warehouse and sales processes"),
        ("доработка типовых учетных конфигураций", "автоматизация складских процессов"),
    ),
    _Role(
        "it", "Information Security Engineer", "Специалист по информационной безопасности",
        1.0, 200_000,
        ("Information security", "Computer networks", "Linux", "SIEM", "Penetration testing",
         "Risk management"),
        ("investigate security incidents", "audit access rights and infrastructure"),
        ("расследование инцидентов безопасности", "аудит прав доступа и инфраструктуры"),
    ),
    _Role(
        "it", "Technical Support Specialist", "Специалист технической поддержки", 3.0, 70_000,
        ("Technical support", "Customer service", "Computer networks", "Windows", "Jira",
         "Business correspondence"),
        ("answer user requests by phone and chat", "diagnose and escalate technical issues"),
        ("консультирование пользователей по телефону и в чате", "диагностика неполадок"),
    ),
    _Role(
        "data", "Data Analyst", "Аналитик данных", 3.0, 180_000,
        ("SQL", "Python", "Data analysis", "Microsoft Excel", "Tableau", "Power BI",
         "Statistics", "Pandas"),
        ("build dashboards and ad hoc reports", "analyze product metrics and experiments"),
        ("построение дашбордов и отчетов", "анализ продуктовых метрик и экспериментов"),
    ),
    _Role(
        "data", "Data Scientist", "Исследователь данных", 1.5, 300_000,
        ("Python", "Machine learning", "SQL", "Pandas", "Statistics", "Scikit-learn",
         "Deep learning", "NumPy"),
        ("train and validate predictive models", "bring models to production with engineers"),
        ("обучение и валидация предсказательных моделей", "вывод моделей в промышленную среду"),
    ),
    _Role(
        "data", "Data Engineer", "Инженер данных", 1.5, 280_000,
        ("SQL", "Python", "Apache Spark", "Apache Airflow", "ETL", "Hadoop", "Apache Kafka",
         "ClickHouse"),
        ("build and maintain data pipelines", "design the data warehouse"),
        ("разработка и поддержка конвейеров данных", "проектирование хранилища данных"),
    ),
    _Role(
        "data", "Business Analyst", "Бизнес-аналитик", 2.0, 190_000,
        ("Business analysis", "Requirements gathering", "BPMN", "SQL", "UML", "Jira",
         "Confluence", "Microsoft Excel"),
        ("gather and document business requirements", "model business processes"),
        ("сбор и документирование требований", "моделирование бизнес-процессов"),
    ),
    _Role(
        "data", "Systems Analyst", "Системный аналитик", 2.0, 230_000,
        ("SQL", "UML", "BPMN", "REST API", "Requirements gathering", "Confluence", "Jira",
         "Apache Kafka"),
        ("write specifications for integrations", "design APIs together with developers"),
        ("написание спецификаций интеграций", "проектирование API вместе с разработчиками"),
    ),
    _Role(
        "data", "Machine Learning Engineer", "Инженер машинного обучения", 1.0, 320_000,
        ("Python", "Machine learning", "Deep learning", "PyTorch", "Docker", "MLOps", "SQL",
         "Kubernetes"),
        ("deploy and monitor models in production", "speed up training and inference"),
        ("развертывание и мониторинг моделей", "ускорение обучения и инференса моделей"),
    ),
    _Role(
        "design", "UX/UI Designer", "UX/UI-дизайнер", 2.0, 170_000,
        ("Figma", "UX design", "UI design", "Prototyping", "User research", "Adobe Photoshop",
         "Design systems"),
        ("design web and mobile interfaces", "run usability tests with real users"),
        ("проектирование веб- и мобильных интерфейсов", "проведение юзабилити-тестирований"),
    ),
    _Role(
        "design", "Graphic Designer", "Графический дизайнер", 1.5, 90_000,
        ("Adobe Photoshop", "Adobe Illustrator", "Adobe InDesign", "Figma", "Typography",
         "Branding"),
        ("create banners and printed materials", "keep the brand style consistent"),
        ("создание баннеров и полиграфии", "поддержка фирменного стиля"),
    ),
    _Role(
        "management", "Project Manager", "Руководитель проектов", 3.0, 200_000,
        ("Project management", "Agile", "Scrum", "Jira", "Risk management", "Budgeting",
         "Stakeholder management"),
        ("plan projects and control deadlines", "coordinate the work of several teams"),
        ("планирование проектов и контроль сроков", "координация работы нескольких команд"),
    ),
    _Role(
        "management", "Product Manager", "Менеджер продукта", 1.5, 260_000,
        ("Product management", "Data analysis", "Agile", "A/B testing", "SQL",
         "Customer development", "Jira"),
        ("own the product roadmap", "talk to customers and test hypotheses"),
        ("управление дорожной картой продукта", "общение с клиентами и проверка гипотез"),
    ),
    _Role(
        "management", "Office Manager", "Офис-менеджер", 2.0, 60_000,
        ("Microsoft Excel", "Microsoft Word", "Document management", "Business correspondence",
         "Office administration", "Customer service"),
        ("run the office and order supplies", "handle incoming calls and mail"),
        ("организация работы офиса", "прием входящих звонков и корреспонденции"),
    ),
    _Role(
        "sales", "Sales Manager", "Менеджер по продажам", 8.0, 90_000,
        ("Active sales", "Negotiation", "Cold calling", "CRM", "B2B sales",
         "Handling objections", "Customer service"),
        ("find and attract new clients", "close deals and grow the customer base"),
        ("поиск и привлечение новых клиентов", "заключение сделок и развитие клиентской базы"),
    ),
    _Role(
        "sales", "Key Account Manager", "Менеджер по работе с ключевыми клиентами", 2.0, 150_000,
        ("Key account management", "Negotiation", "B2B sales", "CRM", "Presentation skills",
         "Microsoft Excel"),
        ("grow revenue from the largest clients", "prepare commercial proposals"),
        ("развитие продаж крупнейшим клиентам", "подготовка коммерческих предложений"),
    ),
    _Role(
        "sales", "Sales Representative", "Торговый представитель", 3.0, 75_000,
        ("Active sales", "Negotiation", "Merchandising", "Cold calling", "Customer service",
         "Microsoft Excel"),
        ("visit retail outlets on a fixed route", "take orders and check shelf displays"),
        ("посещение торговых точек по маршруту", "прием заказов и контроль выкладки"),
    ),
    _Role(
        "marketing", "Marketing Manager", "Маркетолог", 2.5, 130_000,
        ("Marketing", "Digital marketing", "Market analysis", "Google Analytics",
         "Yandex.Metrica", "Content marketing", "Marketing strategy"),
        ("plan and run marketing campaigns", "analyze the market and competitors"),
        ("планирование и запуск маркетинговых кампаний", "анализ рынка и конкурентов"),
    ),
    _Role(
        "marketing", "SMM Manager", "SMM-менеджер", 1.5, 80_000,
        ("SMM", "Copywriting", "Content marketing", "Targeted advertising", "Adobe Photoshop",
         "Social media analytics"),
        ("run the company's social media accounts", "write posts and grow the audience"),
        ("ведение социальных сетей компании", "написание постов и рост аудитории"),
    ),
    _Role(
        "marketing", "SEO Specialist", "SEO-специалист", 1.0, 100_000,
        ("SEO", "Google Analytics", "Yandex.Metrica", "HTML", "Copywriting",
         "Contextual advertising"),
        ("grow organic search traffic", "audit websites and fix technical issues"),
        ("рост поискового трафика", "аудит сайтов и исправление технических ошибок"),
    ),
    _Role(
        "finance", "Accountant", "Бухгалтер", 5.0, 80_000,
        ("Accounting", "1C", "Microsoft Excel", "Tax accounting", "Financial reporting",
         "Payroll", "Document management"),
        ("keep the books and prepare tax returns", "process primary documents and payroll"),
        ("ведение бухгалтерского учета", "работа с первичной документацией и зарплатой"),
    ),
    _Role(
        "finance", "Financial Analyst", "Финансовый аналитик", 1.5, 160_000,
        ("Financial analysis", "Microsoft Excel", "Financial modeling", "Budgeting",
         "Financial reporting", "IFRS", "SQL", "Power BI"),
        ("build financial models and forecasts", "analyze budget execution"),
        ("построение финансовых моделей и прогнозов", "анализ исполнения бюджета"),
    ),
    _Role(
        "finance", "Economist", "Экономист", 1.5, 90_000,
        ("Microsoft Excel", "Budgeting", "Financial analysis", "1C", "Management accounting",
         "Cost accounting"),
        ("prepare budgets and cost estimates", "track expenses of departments"),
        ("подготовка бюджетов и смет", "контроль расходов подразделений"),
    ),
    _Role(
        "hr", "HR Manager", "HR-менеджер", 2.0, 110_000,
        ("Recruiting", "Personnel management", "Labor law", "Onboarding", "Interviewing",
         "HR administration", "Microsoft Excel"),
        ("hire staff and onboard newcomers", "maintain personnel records"),
        ("подбор и адаптация персонала", "ведение кадрового делопроизводства"),
    ),
    _Role(
        "hr", "Recruiter", "Рекрутер", 2.0, 100_000,
        ("Recruiting", "Interviewing", "Headhunting", "Sourcing", "Business correspondence",
         "CRM"),
        ("find candidates for IT and business roles", "run interviews with hiring managers"),
        ("поиск кандидатов на IT- и бизнес-позиции", "проведение интервью с заказчиками"),
    ),
)

# Skills that no role lists as core. They appear only through the Zipf draw.
_GENERIC_SKILLS = (
    "Teamwork", "Communication skills", "English language", "Microsoft Word",
    "Microsoft PowerPoint", "Time management", "Analytical thinking", "Problem solving",
    "Leadership", "Mentoring", "Team management", "Strategic planning", "Public speaking",
    "Attention to detail", "Multitasking", "Google Sheets", "Trello", "Notion", "Miro",
    "Data visualization", "Scala", "C++", "Rust", "PHP", "Laravel", "Node.js", "MongoDB",
    "MySQL", "Elasticsearch", "RabbitMQ", "Nginx", "GitLab CI", "Grafana", "AWS",
    "Yandex Cloud", "Jenkins", "Unit testing", "Code review", "Object-oriented programming",
    "Algorithms", "Data structures", "Microservices architecture", "Sales management",
    "Retail", "Logistics", "Procurement", "Warehouse management", "E-commerce", "Excel VBA",
    "Google Ads", "Yandex Direct", "Email marketing", "Event management", "Public relations",
    "Corporate finance", "Audit", "Internal control", "Treasury", "Economic analysis",
    "Compensation and benefits", "Training and development", "Employer branding",
    "Performance management", "Adobe After Effects", "Blender", "Motion design",
)

# Other spellings used in texts: (Russian forms, Latin forms other than the lowercase name).
_SPELLINGS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "PostgreSQL": ((), ("postgres", "Postgres")),
    "JavaScript": ((), ("JS",)),
    "Kubernetes": ((), ("k8s",)),
    "Go": ((), ("Golang",)),
    "React": ((), ("React.js", "ReactJS")),
    "Vue.js": ((), ("Vue",)),
    "Microsoft Excel": (("Эксель",), ("Excel", "MS Excel")),
    "Microsoft Word": ((), ("MS Word",)),
    "Microsoft SQL Server": ((), ("MS SQL",)),
    "Apache Kafka": ((), ("Kafka",)),
    "Apache Spark": ((), ("Spark",)),
    "Apache Airflow": ((), ("Airflow",)),
    "Scikit-learn": ((), ("sklearn",)),
    "Power BI": ((), ("PowerBI",)),
    "Adobe Photoshop": (("Фотошоп",), ("Photoshop",)),
    "Adobe Illustrator": ((), ("Illustrator",)),
    "1C": (("1С", "1С:Предприятие"), ()),
    "Yandex.Metrica": (("Яндекс.Метрика",), ()),
    "Yandex Direct": (("Яндекс.Директ",), ()),
    "Machine learning": (("машинное обучение",), ("ML",)),
    "Deep learning": (("глубокое обучение",), ()),
    "Data analysis": (("анализ данных",), ()),
    "Statistics": (("статистика",), ()),
    "Project management": (("управление проектами",), ()),
    "Product management": (("управление продуктом",), ()),
    "Risk management": (("управление рисками",), ()),
    "Business analysis": (("бизнес-анализ",), ()),
    "Requirements gathering": (("сбор требований",), ()),
    "Manual testing": (("ручное тестирование",), ()),
    "Test automation": (("автоматизация тестирования",), ()),
    "Information security": (("информационная безопасность",), ()),
    "Computer networks": (("компьютерные сети",), ()),
    "Technical support": (("техническая поддержка",), ()),
    "Virtualization": (("виртуализация",), ()),
    "Prototyping": (("прототипирование",), ()),
    "Typography": (("типографика",), ()),
    "Branding": (("брендинг",), ()),
    "Active sales": (("активные продажи",), ()),
    "Negotiation": (("ведение переговоров", "переговоры"), ()),
    "Cold calling": (("холодные звонки",), ()),
    "B2B sales": (("продажи B2B",), ()),
    "Handling objections": (("работа с возражениями",), ()),
    "Customer service": (("работа с клиентами",), ()),
    "Key account management": (("работа с ключевыми клиентами",), ()),
    "Presentation skills": (("навыки презентации",), ()),
    "Merchandising": (("мерчандайзинг",), ()),
    "Market analysis": (("анализ рынка",), ()),
    "Content marketing": (("контент-маркетинг",), ()),
    "Contextual advertising": (("контекстная реклама",), ()),
    "Targeted advertising": (("таргетированная реклама",), ()),
    "Copywriting": (("копирайтинг",), ()),
    "Marketing": (("маркетинг",), ()),
    "Accounting": (("бухгалтерский учет",), ()),
    "Tax accounting": (("налоговый учет",), ()),
    "Management accounting": (("управленческий учет",), ()),
    "Financial analysis": (("финансовый анализ",), ()),
    "Financial reporting": (("финансовая отчетность",), ()),
    "Budgeting": (("бюджетирование",), ()),
    "Payroll": (("расчет заработной платы",), ()),
    "Document management": (("документооборот",), ()),
    "Business correspondence": (("деловая переписка",), ()),
    "Recruiting": (("подбор персонала", "рекрутинг"), ()),
    "Personnel management": (("управление персоналом",), ()),
    "Labor law": (("трудовое право",), ()),
    "Onboarding": (("адаптация персонала",), ()),
    "Interviewing": (("проведение собеседований",), ()),
    "Teamwork": (("работа в команде",), ()),
    "Communication skills": (("коммуникабельность",), ()),
    "English language": (("английский язык",), ("English",)),
    "Time management": (("тайм-менеджмент",), ()),
    "Team management": (("управление командой",), ()),
    "Strategic planning": (("стратегическое планирование",), ()),
    "Mentoring": (("наставничество",), ()),
    "Logistics": (("логистика",), ()),
    "Procurement": (("закупки",), ()),
}

# Cities in rank order for the Zipf draw, so Moscow is the most frequent.
_CITIES = (
    "Москва", "Санкт-Петербург", "Новосибирск", "Екатеринбург", "Казань", "Нижний Новгород",
    "Красноярск", "Челябинск", "Самара", "Уфа", "Ростов-на-Дону", "Краснодар", "Омск",
    "Воронеж", "Пермь", "Волгоград", "Тюмень", "Саратов", "Томск", "Ижевск", "Калининград",
    "Ярославль", "Иркутск", "Хабаровск", "Владивосток", "Сочи", "Тула", "Almaty", "Minsk",
    "Berlin", "Tbilisi", "Yerevan",
)
_BERLIN = _CITIES.index("Berlin")
# Salaries outside the two capitals are lower. Foreign cities keep the Moscow level.
_CITY_SALARY_FACTOR = np.array(
    [1.0, 0.9] + [1.0 if city.isascii() else 0.7 for city in _CITIES[2:]]
)


@dataclass(frozen=True, slots=True)
class _Level:
    title_en: str  # format string for the English role title
    title_ru: str  # format string for the Russian role title
    job_share: float
    salary_factor: float
    experience_shares: tuple[float, float, float, float]  # of 0, 1, 3 and 6 years


_LEVELS = (
    _Level("{}", "{}", 0.45, 1.0, (0.25, 0.45, 0.25, 0.05)),
    _Level("Junior {}", "Младший {}", 0.10, 0.6, (0.55, 0.45, 0.0, 0.0)),
    _Level("Middle {}", "{} (Middle)", 0.15, 1.0, (0.05, 0.45, 0.45, 0.05)),
    _Level("Senior {}", "Старший {}", 0.20, 1.5, (0.0, 0.1, 0.6, 0.3)),
    _Level("Lead {}", "Ведущий {}", 0.10, 1.9, (0.0, 0.0, 0.4, 0.6)),
)
_NO_LEVEL = 0
_LEVEL_EXPERIENCE_CDF = np.cumsum([level.experience_shares for level in _LEVELS], axis=1)


def _level_title(template: str, role_title: str) -> str:
    # "Старший аналитик данных" but "Старший Python-разработчик".
    if template.startswith("{}") or not role_title[0].isupper() or role_title[0].isascii():
        return template.format(role_title)
    return template.format(role_title[0].lower() + role_title[1:])


# _TITLES[role][level][language]
_TITLES = tuple(
    tuple(
        (level.title_en.format(role.title_en), _level_title(level.title_ru, role.title_ru))
        for level in _LEVELS
    )
    for role in _ROLES
)


@dataclass(frozen=True, slots=True)
class _Phrasebook:
    """Template sentences of one language."""

    conjunction: str
    job_intros: tuple[str, ...]
    job_duty: str
    job_second_duty: str
    job_stack: tuple[str, ...]
    job_nice_to_have: str
    job_experience: dict[int, str]
    job_remote: tuple[str, ...]
    job_office: str
    job_offers: tuple[str, ...]
    resume_openings: tuple[str, ...]
    resume_opening_no_experience: str
    resume_company: str
    resume_duty: str
    resume_second_duty: str
    resume_skills: tuple[str, ...]
    resume_fillers: tuple[str, ...]
    less_than_a_year: str

    def join(self, items: Sequence[str]) -> str:
        if len(items) == 1:
            return items[0]
        return f"{', '.join(items[:-1])} {self.conjunction} {items[-1]}"


_ENGLISH = _Phrasebook(
    conjunction="and",
    job_intros=(
        "{company} is looking for a new colleague in the role of {title}.",
        "Open position at {company}: {title}.",
        "{company} invites you to join the team as {title}.",
    ),
    job_duty="You will {duty}.",
    job_second_duty="You will also {duty}.",
    job_stack=(
        "Requirements: experience with {skills}.",
        "Our stack: {skills}.",
        "We expect solid knowledge of {skills}.",
        "Key skills: {skills}.",
    ),
    job_nice_to_have="Nice to have: {skills}.",
    job_experience={
        0: "No prior experience is required.",
        1: "At least 1 year of relevant experience.",
        3: "At least 3 years of relevant experience.",
        6: "At least 6 years of professional experience.",
    },
    job_remote=("Remote work is possible.", "This is a fully remote position."),
    job_office="The office is in {city}.",
    job_offers=(
        "We offer a competitive salary and an annual bonus.",
        "Flexible working hours.",
        "Paid training courses and conferences.",
        "Health insurance from the first month.",
        "A friendly team and a modern office.",
        "Official employment from day one.",
        "Clear career growth and regular performance reviews.",
        "Compensation for sports and language courses.",
        "A corporate laptop and any equipment you need.",
        "Paid sick leave and 28 days of vacation.",
    ),
    resume_openings=(
        "{title} with {years} of experience.",
        "{title}, {years} of commercial experience.",
    ),
    resume_opening_no_experience="{title} open to new opportunities.",
    resume_company="Previously worked at {company}.",
    resume_duty="In my current role I {duty}.",
    resume_second_duty="I also {duty}.",
    resume_skills=(
        "Key skills: {skills}.",
        "I use {skills} in my daily work.",
        "Hands-on experience with {skills}.",
        "Confident with {skills}.",
        "Worked on projects with {skills}.",
    ),
    resume_fillers=(
        "I enjoy solving hard problems and learning new tools.",
        "I value clear communication and honest feedback.",
        "Ready for business trips and relocation.",
        "Education: bachelor's degree in applied mathematics.",
        "Additional education: a professional retraining course in economics.",
        "Languages: Russian is my native language, English at B2 level.",
        "I mentored two junior colleagues during the last year.",
        "Took part in a large migration project with a tight deadline.",
        "I like to automate routine work whenever possible.",
        "Completed several online courses to deepen my knowledge.",
        "I keep documentation up to date and share knowledge with the team.",
        "Responsible, punctual and attentive to detail.",
        "Looking for a team with a strong engineering or business culture.",
        "Hobbies: running, chess and travelling.",
        "I prefer a hybrid format but can work from the office.",
        "Recommendations from previous employers are available on request.",
        "At my last job I cut the time spent on manual reports by a third.",
        "Worked closely with customers and internal stakeholders.",
        "Comfortable with remote collaboration across time zones.",
        "I set clear goals for myself and track progress every week.",
    ),
    less_than_a_year="less than a year",
)

_RUSSIAN = _Phrasebook(
    conjunction="и",
    job_intros=(
        "Компания {company} ищет кандидата на позицию «{title}».",
        "{company} открывает вакансию «{title}».",
        "В команду {company} требуется сотрудник на должность «{title}».",
    ),
    job_duty="Задачи: {duty}.",
    job_second_duty="Также в задачах: {duty}.",
    job_stack=(
        "Требования: {skills}.",
        "Наш стек: {skills}.",
        "Ключевые навыки: {skills}.",
        "Ожидаем уверенное владение: {skills}.",
    ),
    job_nice_to_have="Будет плюсом: {skills}.",
    job_experience={
        0: "Рассмотрим кандидатов без опыта работы.",
        1: "Опыт работы от 1 года.",
        3: "Опыт работы от 3 лет.",
        6: "Опыт работы от 6 лет.",
    },
    job_remote=("Возможна удаленная работа.", "Работа полностью удаленная."),
    job_office="Офис находится в городе {city}.",
    job_offers=(
        "Официальное трудоустройство по ТК РФ.",
        "Конкурентная заработная плата и годовая премия.",
        "ДМС после испытательного срока.",
        "Гибкий график работы.",
        "Оплачиваемое обучение и конференции.",
        "Дружная команда и современный офис.",
        "Компенсация спорта и изучения иностранных языков.",
        "Прозрачная система карьерного роста.",
        "Корпоративный ноутбук и вся необходимая техника.",
        "Оплачиваемый больничный и отпуск 28 дней.",
    ),
    resume_openings=(
        "{title}, опыт работы {years}.",
        "{title} с опытом работы {years}.",
    ),
    resume_opening_no_experience="{title}, рассматриваю новые предложения.",
    resume_company="Последнее место работы: {company}.",
    resume_duty="Основные задачи: {duty}.",
    resume_second_duty="Зона ответственности: {duty}.",
    resume_skills=(
        "Ключевые навыки: {skills}.",
        "В работе использую: {skills}.",
        "Практический опыт: {skills}.",
        "Уверенно владею: {skills}.",
        "Работал над проектами, где применялись: {skills}.",
    ),
    resume_fillers=(
        "Быстро обучаюсь и люблю решать сложные задачи.",
        "Ценю открытое общение и честную обратную связь.",
        "Готов к командировкам и переезду.",
        "Образование: высшее, прикладная математика.",
        "Дополнительное образование: профессиональная переподготовка по экономике.",
        "Английский язык на уровне B2.",
        "Был наставником для двух младших коллег.",
        "Участвовал в крупном проекте миграции с жесткими сроками.",
        "Стараюсь автоматизировать рутинные задачи.",
        "Прошел несколько онлайн-курсов для повышения квалификации.",
        "Поддерживаю документацию в актуальном состоянии и делюсь знаниями с командой.",
        "Ответственный, пунктуальный, внимательный к деталям.",
        "Ищу команду с сильной инженерной или деловой культурой.",
        "Увлечения: бег, шахматы, путешествия.",
        "Предпочитаю гибридный формат, но могу работать в офисе.",
        "Рекомендации с прошлых мест работы предоставлю по запросу.",
        "На прошлом месте работы сократил время ручной подготовки отчетов на треть.",
        "Тесно взаимодействовал с клиентами и внутренними заказчиками.",
        "Имею опыт удаленной работы с командами в разных часовых поясах.",
        "Ставлю себе четкие цели и еженедельно отслеживаю прогресс.",
    ),
    less_than_a_year="менее года",
)

_PHRASEBOOKS = (_ENGLISH, _RUSSIAN)

JOB_DESCRIPTION_WORDS = (20, 60)
RESUME_TEXT_WORDS = (60, 200)
"""Inclusive word-count ranges of descriptions and non-empty résumé texts."""

_COMPANY_ROOTS_EN = (
    "Acorn", "Amber", "Arctic", "Aster", "Birch", "Cobalt", "Comet", "Delta", "Ember",
    "Falcon", "Granite", "Harbor", "Helix", "Indigo", "Juniper", "Kestrel", "Lumen", "Maple",
    "Nimbus", "Onyx", "Orbit", "Pioneer", "Quartz", "Raven", "Sable", "Summit", "Tundra",
    "Willow", "Zenith",
)
_COMPANY_SUFFIXES_EN = (
    "Labs", "Systems", "Group", "Digital", "Soft", "Solutions", "Tech", "Analytics",
    "Partners", "Logistics", "Retail", "Finance", "Media", "Consulting",
)
_COMPANY_ROOTS_RU = (
    "Вектор", "Горизонт", "Меридиан", "Прогресс", "Альтаир", "Сириус", "Кедр", "Ладога",
    "Волна", "Атлант", "Гранит", "Бриз", "Заря", "Импульс", "Квант", "Магистраль", "Орион",
    "Полюс", "Рассвет", "Спектр", "Стрела", "Тайга", "Факел", "Эталон", "Янтарь",
)
_COMPANY_SUFFIXES_RU = (
    "Технологии", "Системы", "Групп", "Софт", "Консалтинг", "Логистик", "Ритейл", "Финанс",
    "Медиа", "Инжиниринг",
)
_COMPANY_FORMS_RU = ("ООО «{}»", "АО «{}»", "ГК «{}»", "{}")


@dataclass(frozen=True, eq=False)
class SyntheticDataset:
    """Generated companies, jobs and résumés, and the seed they came from.

    Equality is identity, because comparing frames with ``==`` has no single truth value.
    Compare the frames with ``pd.testing.assert_frame_equal``.
    """

    companies: pd.DataFrame
    jobs: pd.DataFrame
    resumes: pd.DataFrame
    seed: int

    def __post_init__(self) -> None:
        for table, columns in _TABLE_COLUMNS.items():
            _require_columns(getattr(self, table), table, columns)


def _require_columns(frame: object, table: str, columns: Sequence[str]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{table} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(
            f"{table} frame is missing the columns {missing}; expected {list(columns)}"
        )


def role_core_skills() -> dict[str, tuple[str, ...]]:
    """Return the core skills of every role, keyed by the role's English title."""
    return {role.title_en: role.core_skills for role in _ROLES}


def skill_pool() -> tuple[str, ...]:
    """Return every skill name the generator can put in a skill list, sorted."""
    return _SKILL_POOL


def _check_count(name: str, value: object, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    if not minimum <= value <= MAX_ROWS:
        raise ValueError(f"{name} must be between {minimum} and {MAX_ROWS:,}, got {value:,}")
    return int(value)


def _random_streams(
    seed: int, stream: int, index: int = 0
) -> tuple[np.random.Generator, random.Random]:
    # NumPy draws the numeric columns in bulk and Python's Random picks template words row
    # by row, which is much faster than scalar NumPy calls. Only random() is used on the
    # latter, because its sequence is the part Python keeps stable across versions.
    sequence = np.random.SeedSequence(seed, spawn_key=(stream, index))
    text_seed = int(sequence.generate_state(1, np.uint64)[0])
    return np.random.Generator(np.random.PCG64(sequence)), random.Random(text_seed)


def _cdf(weights: Sequence[float] | np.ndarray) -> np.ndarray:
    cumulative = np.cumsum(np.asarray(weights, dtype=np.float64))
    return cumulative / cumulative[-1]


def _zipf_cdf(size: int, exponent: float) -> np.ndarray:
    return _cdf(np.arange(1, size + 1, dtype=np.float64) ** -exponent)


def _draw(rng: np.random.Generator, cdf: np.ndarray, size: int | tuple[int, int]) -> np.ndarray:
    """Draw indices from a categorical distribution given by its cumulative shares."""
    indices = np.searchsorted(cdf, rng.random(size), side="right")
    return np.minimum(indices, len(cdf) - 1)


def _choose(pick: Callable[[], float], options: Sequence[str]) -> str:
    return options[int(pick() * len(options))]


def _skill_pool() -> tuple[str, ...]:
    pool = dict.fromkeys(skill for role in _ROLES for skill in role.core_skills)
    pool.update(dict.fromkeys(_GENERIC_SKILLS))
    return tuple(sorted(pool))


_SKILL_POOL = _skill_pool()
_ROLE_CDF = _cdf([role.weight for role in _ROLES])
_LEVEL_CDF = _cdf([level.job_share for level in _LEVELS])
_CITY_CDF = _zipf_cdf(len(_CITIES), CITY_ZIPF_EXPONENT)
_SKILL_CDF = _zipf_cdf(len(_SKILL_POOL), SKILL_ZIPF_EXPONENT)
_CURRENCY_CDF = _cdf(_CURRENCY_SHARES)
_CORE_COUNTS = np.array([len(role.core_skills) for role in _ROLES])
_MAX_CORE = int(_CORE_COUNTS.max())
_MEDIAN_RUB = np.array([role.median_rub for role in _ROLES], dtype=np.float64)


@dataclass(frozen=True, slots=True)
class _Plan:
    """Skill ranks and company tables shared by every chunk of one data set."""

    seed: int
    skills_by_rank: tuple[str, ...]
    company_names: tuple[str, ...]
    company_cdf: np.ndarray


def _spell(skill: str, language: int, pick: Callable[[], float]) -> str:
    """Return the skill as a text would write it: canonical, lowercase, alias or Russian."""
    russian, latin = _SPELLINGS.get(skill, ((), ()))
    roll = pick()
    if language == _RU and russian and roll < 0.6:
        return _choose(pick, russian)
    if roll > 0.9 and latin:
        return _choose(pick, latin)
    if roll > 0.8:
        return skill.lower()
    return skill


def _format_years(years: float, language: int) -> str:
    if years < 0.05:
        return _PHRASEBOOKS[language].less_than_a_year
    if language == _EN:
        return "1 year" if years == 1 else f"{years:g} years"

    number = f"{years:g}".replace(".", ",")
    if not years.is_integer():
        return f"{number} года"
    whole = int(years)
    if whole % 10 == 1 and whole % 100 != 11:
        return f"{number} год"
    if 2 <= whole % 10 <= 4 and not 12 <= whole % 100 <= 14:
        return f"{number} года"
    return f"{number} лет"


def _word_count(sentence: str) -> int:
    return sentence.count(" ") + 1


def _fill_to_target(
    sentences: list[str],
    extras: Sequence[str],
    target: int,
    limit: int,
    pick: Callable[[], float],
) -> None:
    """Append extra sentences, starting at a random one, until ``target`` words are reached.

    A sentence that would pass ``limit`` words is skipped.
    """
    words = sum(_word_count(sentence) for sentence in sentences)
    start = int(pick() * len(extras))
    for step in range(len(extras)):
        if words >= target:
            return
        extra = extras[(start + step) % len(extras)]
        size = _word_count(extra)
        if words + size <= limit:
            sentences.append(extra)
            words += size


def _skill_lists(
    rng: np.random.Generator,
    roles: np.ndarray,
    totals: np.ndarray,
    skills_by_rank: Sequence[str],
    *,
    core_shares: tuple[float, float],
    minimum_core: int,
) -> list[list[str]]:
    """Draw a skill list of ``totals[i]`` skills for every row.

    A row takes a share of its role's core skills, drawn from ``core_shares`` and at
    least ``minimum_core``, in random order. Zipf-drawn skills fill up the rest. A drawn
    skill already in the list is skipped, so a list can end up shorter than its total
    when the draws run out.
    """
    size = len(roles)
    core_counts = np.rint(totals * rng.uniform(*core_shares, size))
    core_counts = np.clip(core_counts, minimum_core, _CORE_COUNTS[roles]).astype(np.int64)

    # A random order of each row's core skills: sort random keys, with the positions past
    # the role's count pushed to the end.
    keys = rng.random((size, _MAX_CORE))
    keys[np.arange(_MAX_CORE)[None, :] >= _CORE_COUNTS[roles][:, None]] = 2.0
    core_orders = np.argsort(keys, axis=1).tolist()
    ranks = _draw(rng, _SKILL_CDF, (size, int(totals.max(initial=0)) + 8)).tolist()

    lists = []
    rows = zip(roles.tolist(), totals.tolist(), core_counts.tolist(), core_orders, ranks)
    for role_index, total, core_count, core_order, row_ranks in rows:
        core = _ROLES[role_index].core_skills
        chosen = [core[position] for position in core_order[:core_count]]
        seen = set(chosen)
        for rank in row_ranks:
            if len(chosen) >= total:
                break
            skill = skills_by_rank[rank]
            if skill not in seen:
                seen.add(skill)
                chosen.append(skill)
        lists.append(chosen)
    return lists


def _round_amounts(amounts: np.ndarray, currency_index: np.ndarray) -> np.ndarray:
    step = _ROUNDING_STEP[currency_index]
    return np.maximum(np.round(amounts / step), 1.0) * step


def _currencies(rng: np.random.Generator, cities: np.ndarray) -> np.ndarray:
    currency_index = _draw(rng, _CURRENCY_CDF, len(cities))
    currency_index[cities == _BERLIN] = _CURRENCIES.index("EUR")
    return currency_index


def _currency_column(
    currency_index: np.ndarray, missing: np.ndarray
) -> pd.api.extensions.ExtensionArray:
    codes = np.asarray(_CURRENCIES, dtype=object)[currency_index]
    codes[missing] = None
    return pd.array(codes, dtype="str")


def _job_salaries(
    rng: np.random.Generator, roles: np.ndarray, levels: np.ndarray, cities: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``salary_min``, ``salary_max`` (NaN when not stated) and currency indices."""
    size = len(roles)
    base_rub = (
        _MEDIAN_RUB[roles]
        * np.array([level.salary_factor for level in _LEVELS])[levels]
        * _CITY_SALARY_FACTOR[cities]
        * rng.lognormal(0.0, _SALARY_LOG_SIGMA, size)
    )
    currency_index = _currencies(rng, cities)
    base = base_rub / _RUB_PER_UNIT[currency_index]

    stated = 1 - _JOB_SALARY_MISSING
    shape_cdf = _cdf([_JOB_SALARY_MISSING, *(share * stated for share in _SALARY_SHAPE_SHARES)])
    shape = _draw(rng, shape_cdf, size)
    low = base * rng.uniform(0.8, 1.0, size)
    high = low * rng.uniform(1.15, 1.7, size)
    is_equal = shape == 2
    low[is_equal] = base[is_equal]
    high[is_equal] = base[is_equal]

    low = _round_amounts(low, currency_index)
    high = _round_amounts(high, currency_index)
    low[(shape == 0) | (shape == 4)] = np.nan
    high[(shape == 0) | (shape == 3)] = np.nan
    return low, high, currency_index


def _job_experience(rng: np.random.Generator, levels: np.ndarray) -> np.ndarray:
    roll = rng.random(len(levels))
    index = (roll[:, None] >= _LEVEL_EXPERIENCE_CDF[levels]).sum(axis=1)
    years = _JOB_EXPERIENCE_YEARS[np.minimum(index, 3)]
    years[rng.random(len(levels)) < _JOB_EXPERIENCE_MISSING] = np.nan
    return years


def _job_description(
    pick: Callable[[], float],
    language: int,
    role: _Role,
    title: str,
    company: str,
    skills: Sequence[str],
    experience: float,
    remote: bool,
    city: str,
) -> str:
    """Assemble a description of 20 to 60 words that names 2 to 4 of the posting's skills."""
    book = _PHRASEBOOKS[language]
    named = [_spell(skill, language, pick) for skill in skills[: 2 + int(pick() * 3)]]
    first_duty, second_duty = role.duties(language)
    if pick() < 0.5:
        first_duty, second_duty = second_duty, first_duty

    low, high = JOB_DESCRIPTION_WORDS
    intro = _choose(pick, book.job_intros).format(company=company, title=title)
    stack = _choose(pick, book.job_stack)
    split_stack = pick() < 0.5
    closing = []
    if not math.isnan(experience):
        closing.append(book.job_experience[int(experience)])
    if remote:
        closing.append(_choose(pick, book.job_remote))
    else:
        closing.append(book.job_office.format(city=city))

    # A long title with long skill names can pass the limit, so fewer skills are named
    # until the sentences fit. Two skills fit with every title, skill and city in the
    # catalogue.
    for count in range(len(named), 1, -1):
        if split_stack and count >= 3:
            skill_sentences = [
                stack.format(skills=book.join(named[:2])),
                book.job_nice_to_have.format(skills=book.join(named[2:count])),
            ]
        else:
            skill_sentences = [stack.format(skills=book.join(named[:count]))]
        sentences = [intro, book.job_duty.format(duty=first_duty), *skill_sentences, *closing]
        words = sum(_word_count(sentence) for sentence in sentences)
        if words <= high:
            break

    second = book.job_second_duty.format(duty=second_duty)
    if pick() < 0.5 and words + _word_count(second) <= high:
        sentences.insert(2, second)

    target = low + int(pick() * (high - low + 1))
    _fill_to_target(sentences, book.job_offers, target, high, pick)
    return " ".join(sentences)


def _created_at(seed: int, size: int) -> np.ndarray:
    """Return ``size`` sorted timestamps in nanoseconds since the epoch, UTC."""
    rng, _ = _random_streams(seed, _STREAM_CREATED_AT)
    days = np.arange(START_DATE, END_DATE).astype(np.int64)
    # 1970-01-01 was a Thursday, so weekday 0 (Monday) is (days + 3) % 7 == 0.
    weekday_weight = np.array([1.0, 1.05, 1.05, 1.0, 0.9, 0.3, 0.2])[(days + 3) % 7]
    day = days[_draw(rng, _cdf(weekday_weight), size)]

    # Around 10:30 UTC, which is 13:30 in Moscow.
    seconds = np.mod(rng.normal(10.5 * 3600, 3.5 * 3600, size), 86_400).astype(np.int64)
    stamps = (day * 86_400 + seconds) * 1_000_000_000
    stamps.sort()
    return stamps


def _jobs_chunk(
    plan: _Plan, index: int, start: int, stop: int, created_at: np.ndarray
) -> pd.DataFrame:
    """Generate postings ``start + 1`` to ``stop`` from chunk ``index``'s own random stream."""
    size = stop - start
    rng, text_random = _random_streams(plan.seed, _STREAM_JOBS, index)
    pick = text_random.random

    roles = _draw(rng, _ROLE_CDF, size)
    levels = _draw(rng, _LEVEL_CDF, size)
    russian = rng.random(size) < _RUSSIAN_TITLE_SHARE
    companies = _draw(rng, plan.company_cdf, size)
    cities = _draw(rng, _CITY_CDF, size)
    remote = rng.random(size) < _REMOTE_SHARE
    experience = _job_experience(rng, levels)
    salary_min, salary_max, currency_index = _job_salaries(rng, roles, levels, cities)
    no_salary = np.isnan(salary_min) & np.isnan(salary_max)

    totals = 3 + np.minimum(rng.negative_binomial(2, 0.4, size), 9)
    skill_lists = _skill_lists(
        rng, roles, totals, plan.skills_by_rank, core_shares=(0.45, 0.75), minimum_core=3
    )

    titles: list[str] = []
    descriptions: list[str] = []
    role_list, level_list, city_list = roles.tolist(), levels.tolist(), cities.tolist()
    russian_list, remote_list = russian.tolist(), remote.tolist()
    company_list, experience_list = companies.tolist(), experience.tolist()
    for row in range(size):
        role_index = role_list[row]
        language = _RU if russian_list[row] else _EN
        title = _TITLES[role_index][level_list[row]][language]
        description = _job_description(
            pick,
            language,
            _ROLES[role_index],
            title,
            plan.company_names[company_list[row]],
            skill_lists[row],
            experience_list[row],
            remote_list[row],
            _CITIES[city_list[row]],
        )
        titles.append(title)
        descriptions.append(description)

    return pd.DataFrame(
        {
            "id": np.arange(start + 1, stop + 1, dtype=np.int64),
            "title": pd.array(titles, dtype="str"),
            "description": pd.array(descriptions, dtype="str"),
            "company_id": companies.astype(np.int64) + 1,
            "created_at": pd.to_datetime(created_at[start:stop], unit="ns", utc=True),
            "location": pd.array(np.asarray(_CITIES, dtype=object)[cities], dtype="str"),
            "remote": remote,
            "salary_min": salary_min,
            "salary_max": salary_max,
            "currency": _currency_column(currency_index, no_salary),
            "experience_years": experience,
            "skills": pd.Series(skill_lists, dtype=object),
        }
    )


def _resume_level(pick: Callable[[], float], years: float) -> int:
    """Return the level a candidate would put in the title, or no level at all."""
    if math.isnan(years) or pick() < 0.5:
        return _NO_LEVEL

    # Junior below 1.5 years, Middle below 4, Senior below 8, Lead from 8 years on.
    for level, limit in ((1, 1.5), (2, 4.0), (3, 8.0)):
        if years < limit:
            return level
    return 4


def _resume_text(
    pick: Callable[[], float],
    language: int,
    role: _Role,
    title: str,
    skills: Sequence[str],
    years: float,
    company: str,
) -> str:
    """Assemble a text of 60 to 200 words that names about 85% of the skills."""
    book = _PHRASEBOOKS[language]
    if math.isnan(years):
        sentences = [book.resume_opening_no_experience.format(title=title)]
    else:
        opening = _choose(pick, book.resume_openings)
        sentences = [opening.format(title=title, years=_format_years(years, language))]
    sentences.append(book.resume_company.format(company=company))
    first_duty, second_duty = role.duties(language)
    sentences.append(book.resume_duty.format(duty=first_duty))
    if pick() < 0.6:
        sentences.append(book.resume_second_duty.format(duty=second_duty))

    named = [_spell(skill, language, pick) for skill in skills if pick() < 0.85]
    skill_sentences = []
    remaining = named
    while remaining:
        group_size = 1 + int(pick() * 4)
        group, remaining = remaining[:group_size], remaining[group_size:]
        skill_sentences.append(_choose(pick, book.resume_skills).format(skills=book.join(group)))

    # Twenty skills in one-skill sentences could pass the limit, but one list always fits.
    low, high = RESUME_TEXT_WORDS
    words = sum(_word_count(sentence) for sentence in sentences + skill_sentences)
    if words > high:
        skill_sentences = [book.resume_skills[0].format(skills=book.join(named))]
    sentences.extend(skill_sentences)

    target = low + int(pick() * (high - low + 1))
    _fill_to_target(sentences, book.resume_fillers, target, high, pick)
    return " ".join(sentences)


def _resume_salaries(
    rng: np.random.Generator, roles: np.ndarray, years: np.ndarray, cities: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return desired salaries (NaN when not stated) and currency indices."""
    size = len(roles)
    experience_factor = np.where(np.isnan(years), 1.0, np.clip(0.55 + 0.12 * years, 0.55, 2.0))
    base_rub = (
        _MEDIAN_RUB[roles]
        * experience_factor
        * _CITY_SALARY_FACTOR[cities]
        * rng.lognormal(0.0, _SALARY_LOG_SIGMA, size)
    )
    currency_index = _currencies(rng, cities)
    salary = _round_amounts(base_rub / _RUB_PER_UNIT[currency_index], currency_index)
    salary[rng.random(size) < _RESUME_SALARY_MISSING] = np.nan
    return salary, currency_index


def _resumes_chunk(plan: _Plan, index: int, start: int, stop: int) -> pd.DataFrame:
    """Generate résumés ``start + 1`` to ``stop`` from chunk ``index``'s own random stream."""
    size = stop - start
    rng, text_random = _random_streams(plan.seed, _STREAM_RESUMES, index)
    pick = text_random.random

    roles = _draw(rng, _ROLE_CDF, size)
    russian = rng.random(size) < _RESUME_RUSSIAN_SHARE
    years = np.minimum(np.round(rng.gamma(2.0, 3.0, size), 1), 45.0)
    years[rng.random(size) < _RESUME_EXPERIENCE_MISSING] = np.nan
    cities = _draw(rng, _CITY_CDF, size)
    no_location = rng.random(size) < _RESUME_LOCATION_MISSING
    salary, currency_index = _resume_salaries(rng, roles, years, cities)
    empty_text = rng.random(size) < _RESUME_EMPTY_TEXT
    companies = rng.integers(0, len(plan.company_names), size)

    totals = 1 + np.minimum(rng.negative_binomial(2, 0.25, size), 19)
    totals[rng.random(size) < _RESUME_NO_SKILLS] = 0
    skill_lists = _skill_lists(
        rng, roles, totals, plan.skills_by_rank, core_shares=(0.4, 0.7), minimum_core=0
    )

    titles: list[str] = []
    texts: list[str] = []
    role_list, russian_list, years_list = roles.tolist(), russian.tolist(), years.tolist()
    empty_list, company_list = empty_text.tolist(), companies.tolist()
    for row in range(size):
        role_index = role_list[row]
        language = _RU if russian_list[row] else _EN
        level = _resume_level(pick, years_list[row])
        title = _TITLES[role_index][level][language]
        if empty_list[row]:
            text = ""
        else:
            text = _resume_text(
                pick,
                language,
                _ROLES[role_index],
                title,
                skill_lists[row],
                years_list[row],
                plan.company_names[company_list[row]],
            )
        titles.append(title)
        texts.append(text)

    locations = np.asarray(_CITIES, dtype=object)[cities]
    locations[no_location] = None
    return pd.DataFrame(
        {
            "id": np.arange(start + 1, stop + 1, dtype=np.int64),
            "title": pd.array(titles, dtype="str"),
            "text": pd.array(texts, dtype="str"),
            "skills": pd.Series(skill_lists, dtype=object),
            "experience_years": years,
            "location": pd.array(locations, dtype="str"),
            "desired_salary": salary,
            "currency": _currency_column(currency_index, np.isnan(salary)),
        }
    )


def _company_name(pick: Callable[[], float]) -> str:
    if pick() < 0.6:
        name = _choose(pick, _COMPANY_ROOTS_RU)
        if pick() < 0.6:
            name = f"{name} {_choose(pick, _COMPANY_SUFFIXES_RU)}"
        return _choose(pick, _COMPANY_FORMS_RU).format(name)
    return f"{_choose(pick, _COMPANY_ROOTS_EN)} {_choose(pick, _COMPANY_SUFFIXES_EN)}"


def _companies(seed: int, count: int) -> pd.DataFrame:
    """Generate companies with lognormal sizes.

    Names are not unique, because the name parts combine into about 1,500 names.
    """
    rng, text_random = _random_streams(seed, _STREAM_COMPANIES)
    sizes = np.ceil(rng.lognormal(_COMPANY_SIZE_LOG_MEAN, _COMPANY_SIZE_LOG_SIGMA, count))
    names = [_company_name(text_random.random) for _ in range(count)]
    return pd.DataFrame(
        {
            "id": np.arange(1, count + 1, dtype=np.int64),
            "name": pd.array(names, dtype="str"),
            "size": sizes.astype(np.int64),
        }
    )


def _chunk_bounds(total: int) -> list[tuple[int, int]]:
    return [(start, min(start + _CHUNK_ROWS, total)) for start in range(0, total, _CHUNK_ROWS)]


def generate(
    n_jobs: int,
    n_resumes: int,
    *,
    n_companies: int | None = None,
    seed: int = 0,
    progress: bool = True,
) -> SyntheticDataset:
    """Generate a synthetic data set. The same arguments give identical frames.

    ``n_companies`` defaults to ``n_jobs / 20`` (at least 1). ``progress`` shows a tqdm bar
    on stderr over the generated rows.
    """
    n_jobs = _check_count("n_jobs", n_jobs, minimum=1)
    n_resumes = _check_count("n_resumes", n_resumes, minimum=1)
    if n_companies is None:
        n_companies = max(1, round(n_jobs / JOBS_PER_COMPANY))
    n_companies = _check_count("n_companies", n_companies, minimum=1)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {seed!r} ({type(seed).__name__})")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    seed = int(seed)
    logger.info(
        "generating %d jobs, %d resumes and %d companies with seed %d",
        n_jobs, n_resumes, n_companies, seed,
    )

    rank_rng, _ = _random_streams(seed, _STREAM_SKILL_RANKS)
    skills_by_rank = tuple(_SKILL_POOL[i] for i in rank_rng.permutation(len(_SKILL_POOL)))
    companies = _companies(seed, n_companies)
    plan = _Plan(
        seed=seed,
        skills_by_rank=skills_by_rank,
        company_names=tuple(companies["name"].tolist()),
        company_cdf=_cdf(companies["size"].to_numpy()),
    )
    created_at = _created_at(seed, n_jobs)

    job_chunks: list[pd.DataFrame] = []
    resume_chunks: list[pd.DataFrame] = []
    bar = tqdm(total=n_jobs + n_resumes, unit="row", desc="synthetic data", disable=not progress)
    with bar:
        for index, (start, stop) in enumerate(_chunk_bounds(n_jobs)):
            job_chunks.append(_jobs_chunk(plan, index, start, stop, created_at))
            bar.update(stop - start)
        for index, (start, stop) in enumerate(_chunk_bounds(n_resumes)):
            resume_chunks.append(_resumes_chunk(plan, index, start, stop))
            bar.update(stop - start)

    jobs = pd.concat(job_chunks, ignore_index=True)
    resumes = pd.concat(resume_chunks, ignore_index=True)
    logger.info(
        "generated %d jobs, %d resumes and %d companies with seed %d",
        len(jobs), len(resumes), len(companies), seed,
    )
    return SyntheticDataset(companies=companies, jobs=jobs, resumes=resumes, seed=seed)


# ---------------------------------------------------------------------------------------
# Storage


def _write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Write to a temporary file beside ``path``, then rename it over ``path``.

    Readers see the old file or the complete new one, never a partial file.
    """
    descriptor, temporary_name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    os.close(descriptor)
    temporary = Path(temporary_name)
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _join_skills(skills: object, table: str, row_id: object) -> str:
    for skill in skills:
        if CSV_SKILL_SEPARATOR in skill:
            raise ValueError(
                f"{table} id {row_id}: skill {skill!r} contains {CSV_SKILL_SEPARATOR!r}, "
                "which separates skills in CSV; write Parquet instead"
            )
    return CSV_SKILL_SEPARATOR.join(skills)


def _csv_ready(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    if "skills" not in frame.columns:
        return frame
    joined = [
        _join_skills(skills, table, row_id)
        for skills, row_id in zip(frame["skills"], frame["id"].tolist())
    ]
    return frame.assign(skills=pd.array(joined, dtype="str"))


def write_dataset(
    dataset: SyntheticDataset, out_dir: str | Path, *, fmt: str = "parquet"
) -> dict[str, Path]:
    """Write the three tables and a manifest into ``out_dir`` and return their paths.

    ``fmt`` is ``"parquet"`` or ``"csv"``. In CSV a skill list is joined with ``|``. Each
    file is written atomically, and the manifest last, so a folder with a manifest contains a
    complete data set. Existing files of the same names are replaced.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}")
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    manifest_path = directory / MANIFEST_NAME
    # Remove the old manifest first, so a reader never pairs it with half-replaced tables.
    manifest_path.unlink(missing_ok=True)

    paths: dict[str, Path] = {}
    for table in _TABLE_COLUMNS:
        frame = getattr(dataset, table)
        path = directory / f"{table}.{fmt}"
        if fmt == "parquet":
            _write_atomically(path, lambda target, f=frame: f.to_parquet(target, index=False))
        else:
            ready = _csv_ready(frame, table)
            _write_atomically(path, lambda target, f=ready: f.to_csv(target, index=False))
        paths[table] = path

    manifest = {
        "format": fmt,
        "seed": dataset.seed,
        "rows": {table: len(getattr(dataset, table)) for table in _TABLE_COLUMNS},
    }
    _write_atomically(
        manifest_path,
        lambda target: target.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8"),
    )
    paths["manifest"] = manifest_path
    logger.info(
        "wrote %s data set with seed %d to %s: %s", fmt, dataset.seed, directory, manifest["rows"]
    )
    return paths


_CSV_DTYPES = {
    "companies": {"id": "int64", "name": "str", "size": "int64"},
    "jobs": {
        "id": "int64", "title": "str", "description": "str", "company_id": "int64",
        "created_at": "str", "location": "str", "remote": "bool", "salary_min": "float64",
        "salary_max": "float64", "currency": "str", "experience_years": "float64",
        "skills": "str",
    },
    "resumes": {
        "id": "int64", "title": "str", "text": "str", "skills": "str",
        "experience_years": "float64", "location": "str", "desired_salary": "float64",
        "currency": "str",
    },
}
# CSV writes an empty string and a missing value alike, so these always-present text
# columns read an empty field as "".
_TEXT_COLUMNS = ("name", "title", "description", "text")


def _read_csv(path: Path, table: str) -> pd.DataFrame:
    frame = pd.read_csv(
        path,
        dtype=_CSV_DTYPES[table],
        keep_default_na=False,
        na_values=[""],
    )
    _require_columns(frame, f"{table} ({path})", _TABLE_COLUMNS[table])
    for column in _TEXT_COLUMNS:
        if column in frame.columns:
            frame[column] = frame[column].fillna("")
    if "created_at" in frame.columns:
        parsed = pd.to_datetime(frame["created_at"], utc=True, format="ISO8601")
        frame["created_at"] = parsed.astype("datetime64[ns, UTC]")
    if "skills" in frame.columns:
        lists = [
            [] if pd.isna(value) else value.split(CSV_SKILL_SEPARATOR)
            for value in frame["skills"]
        ]
        frame["skills"] = pd.Series(lists, dtype=object)
    return frame


def _read_parquet(path: Path, table: str) -> pd.DataFrame:
    frame = pd.read_parquet(path)
    _require_columns(frame, f"{table} ({path})", _TABLE_COLUMNS[table])
    if "skills" in frame.columns:
        # Parquet lists come back as NumPy arrays, but the generator produces lists.
        frame["skills"] = pd.Series(
            [[] if value is None else [str(skill) for skill in value] for value in frame["skills"]],
            dtype=object,
        )
    return frame


def _manifest_problems(manifest: object) -> list[str]:
    if not isinstance(manifest, dict):
        return [f"the content is a JSON {type(manifest).__name__}, not an object"]
    problems = []
    if manifest.get("format") not in FORMATS:
        problems.append(f"field 'format' is {manifest.get('format')!r}, not one of {FORMATS}")
    seed = manifest.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int):
        problems.append(f"field 'seed' is {seed!r}, not an int")
    rows = manifest.get("rows")
    tables = list(_TABLE_COLUMNS)
    if not isinstance(rows, dict) or any(not isinstance(rows.get(t), int) for t in tables):
        problems.append(f"field 'rows' is {rows!r}, not a row count for each of {tables}")
    return problems


def _read_manifest(directory: Path) -> dict:
    path = directory / MANIFEST_NAME
    if not path.is_file():
        raise FileNotFoundError(
            f"no synthetic data set in {directory}: {MANIFEST_NAME} is missing; "
            "write one with write_dataset()"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON ({error}); write the data set again") from error

    problems = _manifest_problems(manifest)
    if problems:
        raise ValueError(f"{path} is invalid: {'; '.join(problems)}; write the data set again")
    return manifest


def read_dataset(directory: str | Path) -> SyntheticDataset:
    """Read a data set written by ``write_dataset``, in the format its manifest names."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"data set folder {directory} does not exist or is not a folder")
    manifest = _read_manifest(directory)
    fmt = manifest["format"]

    frames: dict[str, pd.DataFrame] = {}
    for table in _TABLE_COLUMNS:
        path = directory / f"{table}.{fmt}"
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} is missing although {MANIFEST_NAME} names the {fmt} format; "
                "write the data set again"
            )
        frame = _read_parquet(path, table) if fmt == "parquet" else _read_csv(path, table)
        expected = manifest["rows"].get(table)
        if len(frame) != expected:
            raise ValueError(
                f"{path} has {len(frame)} rows but {MANIFEST_NAME} records {expected}; "
                "the data set is incomplete, write it again"
            )
        frames[table] = frame

    logger.info("read %s data set with seed %d from %s", fmt, manifest["seed"], directory)
    return SyntheticDataset(seed=manifest["seed"], **frames)


# ---------------------------------------------------------------------------------------
# Frame rows to model objects


def _optional(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _optional_int(value: object) -> int | None:
    value = _optional(value)
    return None if value is None else int(value)


def _optional_float(value: object) -> float | None:
    value = _optional(value)
    return None if value is None else float(value)


def _skill_tuple(value: object) -> tuple[str, ...]:
    """Convert a cell of the ``skills`` column: a list, array, ``|``-joined string or NaN."""
    if _optional(value) is None:
        return ()
    if isinstance(value, str):
        return tuple(skill for skill in value.split(CSV_SKILL_SEPARATOR) if skill)
    return tuple(str(skill) for skill in value)


def _python_datetimes(column: pd.Series) -> list:
    if not pd.api.types.is_datetime64_any_dtype(column):
        raise TypeError(
            f"column created_at must have a datetime64 dtype, got {column.dtype}; "
            "convert it with pd.to_datetime(column, utc=True)"
        )
    stamps = column.dt.to_pydatetime().tolist()
    return [None if stamp is pd.NaT else stamp for stamp in stamps]


def _build_rows(table: str, ids: list, build: Callable[[int], object]) -> list:
    """Call ``build`` for every row number and name the row in any validation error."""
    built = []
    for row in range(len(ids)):
        try:
            built.append(build(row))
        except (TypeError, ValueError) as error:
            raise ValueError(f"{table} row {row} (id {ids[row]!r}): {error}") from error
    return built


def companies_from_frame(df: pd.DataFrame) -> list[Company]:
    """Convert a companies frame to ``Company`` objects, with None for NaN."""
    _require_columns(df, "companies", COMPANY_COLUMNS)
    ids = df["id"].tolist()
    names = df["name"].tolist()
    sizes = df["size"].tolist()
    return _build_rows(
        "companies",
        ids,
        lambda i: Company(id=int(ids[i]), name=names[i], size=_optional_int(sizes[i])),
    )


def jobs_from_frame(df: pd.DataFrame) -> list[Job]:
    """Convert a jobs frame to ``Job`` objects.

    NaN becomes None, a Timestamp a timezone-aware ``datetime`` and a skill list a tuple.
    """
    _require_columns(df, "jobs", JOB_COLUMNS)
    columns = {name: df[name].tolist() for name in JOB_COLUMNS if name != "created_at"}
    created_at = _python_datetimes(df["created_at"])

    def build(i: int) -> Job:
        return Job(
            id=int(columns["id"][i]),
            title=columns["title"][i],
            description=_optional(columns["description"][i]) or "",
            company_id=_optional_int(columns["company_id"][i]),
            created_at=created_at[i],
            location=_optional(columns["location"][i]),
            remote=bool(columns["remote"][i]),
            salary_min=_optional_float(columns["salary_min"][i]),
            salary_max=_optional_float(columns["salary_max"][i]),
            currency=_optional(columns["currency"][i]),
            experience_years=_optional_float(columns["experience_years"][i]),
            skills=_skill_tuple(columns["skills"][i]),
        )

    return _build_rows("jobs", columns["id"], build)


def resumes_from_frame(df: pd.DataFrame) -> list[Resume]:
    """Convert a résumés frame to ``Resume`` objects, with None for NaN and skill tuples."""
    _require_columns(df, "resumes", RESUME_COLUMNS)
    columns = {name: df[name].tolist() for name in RESUME_COLUMNS}

    def build(i: int) -> Resume:
        return Resume(
            id=int(columns["id"][i]),
            title=columns["title"][i],
            text=_optional(columns["text"][i]) or "",
            skills=_skill_tuple(columns["skills"][i]),
            experience_years=_optional_float(columns["experience_years"][i]),
            location=_optional(columns["location"][i]),
            desired_salary=_optional_float(columns["desired_salary"][i]),
            currency=_optional(columns["currency"][i]),
        )

    return _build_rows("resumes", columns["id"], build)
