"""Tests of the shipped skill vocabulary, ``mismatch_core/resources/skills.tsv``.

The file is checked as data: each alias key has one owner, and no alias that matches free
text is a common word. It is also checked through the matching it drives, with English
and Russian aliases, inflected Russian forms, names with symbols such as ``C#`` and
``.NET``, and tags as the hh.ru postings write them.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest

from mismatch_core.loaders import load_hh_data_vacancies, load_hh_it_vacancies
from mismatch_core.skills import SkillKey, SkillVocabulary, skill_key

SKILL_CATEGORIES = frozenset(
    (
        "language", "framework", "database", "data", "ml", "analytics", "devops", "network",
        "security", "testing", "design", "engineering", "erp", "management", "sales",
        "marketing", "finance", "hr", "office", "soft", "spoken", "other",
    )
)

# Everyday English and Russian words that name a skill only by accident. A canonical name
# or an in-text alias with one of these keys would turn ordinary prose into a skill, so
# such a word may only appear as a declared-only alias ("=word").
COMMON_WORDS = (
    # English words that are also names of tools, languages or methods.
    "go", "r", "c", "access", "word", "outlook", "teams", "project", "office", "spring",
    "react", "spark", "swift", "rust", "dart", "less", "hive", "pig", "shell", "rest", "soap",
    "windows", "unity", "notion", "sketch", "helm", "vault", "chef", "puppet", "lean",
    "express", "nest", "node", "bootstrap", "solid", "airflow", "postman", "snowflake",
    "cypress", "jest", "playwright", "locust", "allure", "cucumber", "celery", "torch",
    "presto", "impala", "apache", "elk", "asana", "maya", "blender", "premiere", "illustrator",
    "elastic", "regression", "transformers", "dagger", "rails", "compose", "idea", "eclipse",
    "amplitude", "tally", "safe", "waterfall", "exchange", "cypher", "unreal", "boost",
    "prototype", "crypto", "tender", "checkpoint", "programmatic", "mandarin", "bert", "basel",
    "ooh", "astra", "alt",
    # English words too general to stand for one skill.
    "drawing", "drafting", "networking", "testing", "design", "sales", "data", "analytics",
    "research", "training", "reporting", "documentation", "automation", "integration",
    "operations", "maintenance", "communication", "english", "management", "development",
    "cloud", "energy", "hardware", "flexibility", "initiative", "responsibility", "feedback",
    "visualization", "valuation", "motivation", "collaboration", "proactive", "hiring",
    "sourcing", "interviewing", "editing", "rewriting", "embedded", "partnerships",
    "targeting", "trading", "lending", "insurance", "documentary", "contracts", "law", "legal",
    "special", "it",
    # Abbreviations that are ordinary words or mean something else in other fields.
    "ci", "ui", "arm", "asm", "ad", "pm", "ga", "tf", "ef", "pd", "wp", "rx", "cv", "ds", "dl",
    "bi", "hr", "qt", "stl", "ros", "msa", "spa", "bpm", "sem", "scm", "dbt", "eq", "ar", "vb",
    "okd", "kube", "asp", "ab",
    # Russian words, including the ones whose stems short aliases would share.
    "го", "си", "с", "в", "и", "по", "работа", "опыт", "знание", "навыки", "умение", "язык",
    "данные", "анализ", "аналитика", "управление", "разработка", "тестирование", "продажи",
    "дизайн", "обучение", "планирование", "контроль", "проект", "документация", "безопасность",
    "ответственность", "автоматизация", "администрирование", "менеджмент", "визуализация",
    "гибкость", "креатив", "логика", "аттестация", "рисунок", "фотография", "компас", "лоцман",
    "канва", "блендер", "табло", "редис", "скала", "континент", "метрика", "директ", "банки",
    "бухгалтерия", "архитектура", "исследования", "интеграция", "мотивация", "грамотность",
    "ух", "рд", "ит", "кд", "спринг", "кубер", "скетч", "астра", "миро", "таргет", "экономика",
    "зарплата", "налоги", "страхование", "фитнес", "тренинги", "собеседования", "регламенты",
    "консультации", "системность", "системный", "адаптивность", "адаптивный", "креативность",
    "креативный", "самостоятельность", "самостоятельно", "доброжелательность",
    "доброжелательный", "отчетность", "отчеты", "полиграфия", "полиграф", "впр", "виза",
    "симфония", "катя", "юнит", "руб", "убеждение", "переписка", "контент", "преподаватель",
    "иллюстратор", "аккуратность", "опрятность", "внедренец", "госзаказчики", "трейдинг", "ии",
)

# Function words that make a phrase match ordinary text when they start or end it,
# as in "разработка по" ("development according to ...").
EDGE_WORDS = frozenset(
    (
        "and", "or", "of", "to", "in", "for", "with", "the", "и", "в", "во", "на", "с", "со",
        "по", "к", "ко", "о", "об", "от", "до", "из", "за", "для", "а", "но", "или", "у",
        "при", "без", "над", "под",
    )
)

CYRILLIC = re.compile("[\u0400-\u04ff]")


@dataclass(frozen=True)
class Row:
    """One skill line of the vocabulary file."""

    line: int
    name: str
    category: str
    aliases: tuple[str, ...]

    def terms(self) -> tuple[str, ...]:
        """Return the name and the aliases, declared-only ones without their ``=``."""
        return (self.name, *(alias.lstrip("=") for alias in self.aliases))

    def in_text_terms(self) -> tuple[str, ...]:
        """Return the name and the aliases that are matched in free text."""
        return (self.name, *(alias for alias in self.aliases if not alias.startswith("=")))


@pytest.fixture(scope="module")
def vocabulary_path() -> Path:
    path = Path(str(resources.files("mismatch_core") / "resources" / "skills.tsv"))
    if not path.is_file():
        pytest.fail(f"{path}: shipped vocabulary file not found")
    return path


@pytest.fixture(scope="module")
def rows(vocabulary_path: Path) -> list[Row]:
    with open(vocabulary_path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        return [
            Row(
                line=reader.line_num,
                name=record["name"],
                category=record["category"],
                aliases=tuple(a.strip() for a in record["aliases"].split("|") if a.strip()),
            )
            for record in reader
        ]


@pytest.fixture(scope="module")
def vocabulary(vocabulary_path: Path) -> SkillVocabulary:
    return SkillVocabulary.from_tsv(vocabulary_path)


def in_text_keys(rows: list[Row]) -> list[tuple[int, str, SkillKey]]:
    """Return (line, term, key) for every name and in-text alias of the file."""
    return [(row.line, term, skill_key(term)) for row in rows for term in row.in_text_terms()]


# ---------------------------------------------------------------------------
# The file as data
# ---------------------------------------------------------------------------


def test_file_loads_every_row(rows, vocabulary):
    assert len(vocabulary) == len(rows)


def test_default_is_shipped_file(rows):
    assert set(SkillVocabulary.default().skills) == {row.name for row in rows}


def test_file_size_floor(rows):
    assert len(rows) >= 350


def test_file_cyrillic_alias_floor(rows):
    with_cyrillic = [row for row in rows if any(CYRILLIC.search(a) for a in row.aliases)]

    assert len(with_cyrillic) >= 100


def test_categories_known(rows):
    unknown = [(row.line, row.category) for row in rows if row.category not in SKILL_CATEGORIES]

    assert unknown == []


def test_keys_have_one_owner(rows, vocabulary):
    # The loader keeps the first owner of a key and drops later claims without an error,
    # so every name and alias must still map to its own row.
    reassigned = [
        (row.line, term, vocabulary.canonical(term))
        for row in rows
        for term in row.terms()
        if vocabulary.canonical(term) != row.name
    ]

    assert reassigned == []


def test_in_text_not_single_character(rows):
    short = [(line, term) for line, term, key in in_text_keys(rows) if len("".join(key)) <= 1]

    assert short == []


def test_in_text_not_common_word(rows):
    common = {skill_key(word) for word in COMMON_WORDS}

    found = [(line, term) for line, term, key in in_text_keys(rows) if key in common]

    assert found == []


def test_in_text_not_edged_by_function_word(rows):
    edged = [
        (line, term)
        for line, term, key in in_text_keys(rows)
        if len(key) > 1 and (key[0] in EDGE_WORDS or key[-1] in EDGE_WORDS)
    ]

    assert edged == []


# ---------------------------------------------------------------------------
# Matching with the shipped file
# ---------------------------------------------------------------------------


def test_canonical_english_alias(vocabulary):
    assert vocabulary.canonical("postgres") == "PostgreSQL"


def test_canonical_russian_alias(vocabulary):
    assert vocabulary.canonical("Постгрес") == "PostgreSQL"


@pytest.mark.parametrize(
    ("tag", "name"),
    [
        ("Go", "Golang"),
        ("го", "Golang"),
        ("R", "R (language)"),
        ("C", "C (language)"),
        ("Access", "Microsoft Access"),
        ("Spring", "Spring Framework"),
    ],
)
def test_canonical_declared_short_names(vocabulary, tag, name):
    assert vocabulary.canonical(tag) == name


def test_extract_skips_declared_short_names(vocabulary):
    assert vocabulary.extract("Go, R, C, Access and Spring") == ()


def test_extract_russian_sentence(vocabulary):
    text = "Опыт в машинном обучении и анализе данных, знание Python и PostgreSQL"

    found = vocabulary.extract(text)

    assert set(found) == {"Machine learning", "Data analysis", "Python", "PostgreSQL"}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("знание английского языка", "English language"),
        ("опыт активных продаж", "Active sales"),
        ("навыки ведения переговоров", "Negotiation"),
        ("умение работать в команде", "Teamwork"),
        ("опыт работы в команде", "Teamwork"),
        ("ведение деловой переписки", "Business correspondence"),
        ("опыт в управлении проектами", "Project management"),
        ("знание нейронных сетей", "Deep learning"),
        ("работа с базами данных", "Databases"),
        ("знания математической статистики", "Statistics"),
        ("задачи компьютерного зрения", "Computer vision"),
        ("опыт холодных звонков", "Cold calling"),
        ("знание бухгалтерского учета", "Accounting"),
        ("опыт подбора персонала", "Recruitment"),
        ("ведение кадрового делопроизводства", "HR administration"),
        ("опыт автоматизированного тестирования", "Test automation"),
        ("навыками работы с возражениями", "Objection handling"),
        ("моделированием бизнес-процессов", "Business process modeling"),
        ("разработкой технических заданий", "Technical specifications"),
        ("опыт A/B-тестирования", "A/B testing"),
        ("администрированием серверов Linux", "Linux administration"),
        ("поиском и привлечением клиентов", "Lead generation"),
        ("знание языка запросов 1С", "1C programming"),
        ("опыт работы в Битриксе", "1C-Bitrix"),
        ("работа в Фигме", "Figma"),
        ("знание Экселя", "Microsoft Excel"),
        ("с кубернетесом", "Kubernetes"),
        ("в хранилищах данных", "Data warehouse"),
        ("с грамотной речью", "Literate speech"),
        ("с электронным документооборотом", "Electronic document management"),
        ("высокая стрессоустойчивость", "Stress resistance"),
        # Snowball stems the genitive plural "систем" apart from "системы", so the file
        # lists that form as its own alias.
        ("внедрение CRM-систем", "CRM"),
        ("разработка рекомендательных систем", "Recommender systems"),
    ],
)
def test_extract_inflected_russian(vocabulary, text, name):
    assert name in vocabulary.extract(text)


def test_extract_ignores_plain_english(vocabulary):
    assert vocabulary.extract("I am going to learn") == ()


def test_extract_ignores_plain_russian(vocabulary):
    text = "Работа по графику, зарплата до вычета налогов, ДМС и страхование"

    assert vocabulary.extract(text) == ()


def test_extract_symbol_names(vocabulary):
    found = vocabulary.extract("Node.js and C++ and C# and .NET")

    assert found == ("Node.js", "C++", "C#", ".NET")


def test_canonicalize_python_variants(vocabulary):
    assert vocabulary.canonicalize(["Python", "python", "Питон"]) == ("Python",)


@pytest.mark.parametrize(
    ("tag", "name"),
    [
        ("Английский — B2 — Средне-продвинутый", "English language"),
        ("Немецкий — C1 — Продвинутый", "German language"),
        ("1С: Предприятие 8", "1C:Enterprise"),
        ("1C: ERP", "1C:ERP"),
        ("1С:ERP", "1C:ERP"),
        ("С#", "C#"),  # Cyrillic "С"
        ("В2В Продажи", "B2B sales"),  # Cyrillic "В"
        ("CI\\CD", "CI/CD"),
        ("T\u2011SQL", "Transact-SQL"),  # non-breaking hyphen
        ("ХDТО", "1C programming"),  # Cyrillic "Х", "Т" and "О"
        ("Яндекс.Метрика", "Yandex Metrica"),
        ("SQL;", "SQL"),
        ("Оптимизация бизнес процессов", "Business process management"),
    ],
)
def test_canonical_hh_tag_spellings(vocabulary, tag, name):
    assert vocabulary.canonical(tag) == name


# ---------------------------------------------------------------------------
# Coverage of the real postings
# ---------------------------------------------------------------------------


@pytest.mark.real_data
def test_frequent_hh_tags_mapped(real_data_dir, vocabulary):
    tags: Counter[str] = Counter()
    jobs = [
        *load_hh_it_vacancies(real_data_dir / "hh_it_vacancies.csv", on_error="skip").items,
        *load_hh_data_vacancies(real_data_dir / "hh_data_vacancies.tsv", on_error="skip").items,
    ]
    for job in jobs:
        tags.update(job.skills)

    frequent = [tag for tag, _ in tags.most_common(100)]
    mapped = [tag for tag in frequent if vocabulary.canonical(tag) is not None]

    # The file was written with these tags in view and maps all 100 of them. The floor is
    # loose, so it tolerates edits to the file but catches a broken loader or key function.
    assert len(mapped) >= 0.8 * len(frequent)
