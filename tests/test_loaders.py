"""Tests of the real-data loaders: small malformed files for every error path, then the real files."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

import pytest

from mismatch_core.loaders import (
    DataLoadError,
    LoadResult,
    RowError,
    extend_vocabulary,
    load_esco_labels,
    load_hh_data_vacancies,
    load_hh_it_vacancies,
    load_onet_skills,
    load_real_jobs,
    load_resumes_csv,
    parse_currency,
    parse_experience_band,
    parse_stated_experience,
)
from mismatch_core.paths import shared_data_dir
from mismatch_core.skills import SkillVocabulary

HH_DATA_HEADER = "vacancy_id\tname\ttags\texperience\tlower_salary\tupper_salary\tcurrency\n"
HH_IT_HEADER = "id,name,key_skills,work_format_name,experience,specialization_id\n"
ONET_HEADER = (
    "O*NET-SOC Code\tExample\tCommodity Code\tCommodity Title\tHot Technology\tIn Demand\n"
)
GOOD_DATA_ROW = "101\tData Analyst\t['SQL', 'Python']\tТребуемый опыт работы: 1–3 года\t\t\t\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def hh_data_file(folder: Path, *rows: str) -> Path:
    return write(folder, "hh_data_vacancies.tsv", HH_DATA_HEADER + "".join(rows))


def hh_it_file(folder: Path, *rows: str) -> Path:
    return write(folder, "hh_it_vacancies.csv", HH_IT_HEADER + "".join(rows))


def only_error(path: Path) -> RowError:
    result = load_hh_data_vacancies(path, on_error="skip")
    assert len(result.errors) == 1, result.summary()
    return result.errors[0]


# ---------------------------------------------------------------------------
# hh_data_vacancies.tsv
# ---------------------------------------------------------------------------


def test_hh_data_valid_row(tmp_path):
    path = hh_data_file(
        tmp_path,
        "7\tML Engineer\t['Python', ' PyTorch ']\tТребуемый опыт работы: 3–6 лет\t"
        "200000\t300000\t₽\n",
    )

    job = load_hh_data_vacancies(path).items[0]

    assert job.id == 7
    assert job.title == "ML Engineer"
    assert job.skills == ("Python", "PyTorch")
    assert job.experience_years == 3.0
    assert job.salary_min == 200000.0
    assert job.salary_max == 300000.0
    assert job.currency == "RUB"


def test_hh_data_one_sided_salary(tmp_path):
    path = hh_data_file(tmp_path, "7\tAnalyst\t[]\t\t\t150000\t$\n")

    job = load_hh_data_vacancies(path).items[0]

    assert job.salary_min is None
    assert job.salary_max == 150000.0
    assert job.currency == "USD"
    assert job.experience_years is None


def test_hh_data_empty_tags(tmp_path):
    path = hh_data_file(tmp_path, "7\tAnalyst\t\t\t\t\t\n", "8\tAnalyst\t[]\t\t\t\t\n")

    jobs = load_hh_data_vacancies(path).items

    assert [job.skills for job in jobs] == [(), ()]


def test_hh_data_bad_list_literal(tmp_path):
    path = hh_data_file(tmp_path, "7\tAnalyst\t['a', \t\t\t\t\n")

    error = only_error(path)

    assert str(error) == (
        "hh_data_vacancies.tsv, line 2, field 'tags': invalid list literal \"['a', \"; "
        "fix the quoting or leave the field empty"
    )
    assert error.value == "['a', "


@pytest.mark.parametrize(
    "tags",
    ["{'a': 1}", "'Python'", "['Python', 3]", "[['nested']]", "__import__('os')"],
)
def test_hh_data_tags_not_string_list(tmp_path, tags):
    path = hh_data_file(tmp_path, f"7\tAnalyst\t{tags}\t\t\t\t\n")

    error = only_error(path)

    assert error.field == "tags"


def test_hh_data_unknown_experience(tmp_path):
    path = hh_data_file(tmp_path, "7\tAnalyst\t[]\tТребуемый опыт работы: 10 лет\t\t\t\n")

    error = only_error(path)

    assert error.field == "experience"
    assert "unknown experience band" in error.message


def test_hh_data_salary_without_currency(tmp_path):
    path = hh_data_file(tmp_path, "7\tAnalyst\t[]\t\t24\t24\t\n")

    error = only_error(path)

    assert error.field == "currency"
    assert "has no currency" in error.message


def test_hh_data_non_numeric_salary(tmp_path):
    path = hh_data_file(tmp_path, "7\tAnalyst\t[]\t\tfrom 100k\t\t₽\n")

    error = only_error(path)

    assert error.field == "lower_salary"
    assert error.value == "from 100k"


def test_hh_data_nan_salary(tmp_path):
    path = hh_data_file(tmp_path, "7\tAnalyst\t[]\t\tnan\t\t₽\n")

    error = only_error(path)

    assert error.field == "lower_salary"


def test_hh_data_unknown_currency(tmp_path):
    path = hh_data_file(tmp_path, "7\tAnalyst\t[]\t\t100\t200\t¥\n")

    error = only_error(path)

    assert error.field == "currency"


def test_hh_data_min_above_max(tmp_path):
    path = hh_data_file(tmp_path, "7\tAnalyst\t[]\t\t300000\t100000\t₽\n")

    error = only_error(path)

    assert error.field == "lower_salary"
    assert "rejected by the model" in error.message
    assert "salary_min" in error.message


def test_hh_data_missing_id(tmp_path):
    path = hh_data_file(tmp_path, GOOD_DATA_ROW, "\tAnalyst\t[]\t\t\t\t\n")

    error = only_error(path)

    assert error.field == "vacancy_id"
    assert error.line == 3
    assert "missing id" in error.message


def test_hh_data_invalid_id(tmp_path):
    path = hh_data_file(tmp_path, "12a\tAnalyst\t[]\t\t\t\t\n")

    error = only_error(path)

    assert error.field == "vacancy_id"


def test_hh_data_duplicate_id(tmp_path):
    path = hh_data_file(tmp_path, GOOD_DATA_ROW, GOOD_DATA_ROW)

    error = only_error(path)

    assert error.line == 3
    assert "already used on line 2" in error.message


def test_hh_data_missing_title(tmp_path):
    path = hh_data_file(tmp_path, "7\t\t[]\t\t\t\t\n")

    error = only_error(path)

    assert error.field == "name"


def test_hh_data_all_field_errors_reported(tmp_path):
    path = hh_data_file(tmp_path, "x\tAnalyst\t['a',\tмного лет\tabc\t\t\n")

    result = load_hh_data_vacancies(path, on_error="skip")

    assert [error.field for error in result.errors] == [
        "vacancy_id",
        "tags",
        "experience",
        "lower_salary",
    ]
    assert result.rejected == 1


def test_hh_data_wrong_field_count(tmp_path):
    path = hh_data_file(tmp_path, "7\tAnalyst\twith\ttab\t[]\t\t\t\n", GOOD_DATA_ROW)

    result = load_hh_data_vacancies(path, on_error="skip")

    assert result.errors[0].field is None
    assert "expected 7 fields, found 8" in result.errors[0].message
    assert len(result.items) == 1


def test_hh_data_quoted_title(tmp_path):
    path = hh_data_file(tmp_path, '7\t"Data engineer (проект ""X"")"\t[]\t\t\t\t\n')

    job = load_hh_data_vacancies(path).items[0]

    assert job.title == 'Data engineer (проект "X")'


def test_hh_data_malformed_quoting(tmp_path):
    path = hh_data_file(tmp_path, '7\t"Analyst" senior\t[]\t\t\t\t\n', GOOD_DATA_ROW)

    result = load_hh_data_vacancies(path, on_error="skip")

    assert result.errors[0].line == 2
    assert "malformed quoting" in result.errors[0].message
    assert [job.id for job in result.items] == [101]


# ---------------------------------------------------------------------------
# Error policy shared by the loaders
# ---------------------------------------------------------------------------


def test_raise_lists_every_error(tmp_path):
    path = hh_data_file(
        tmp_path,
        "\tAnalyst\t[]\t\t\t\t\n",
        GOOD_DATA_ROW,
        "8\tAnalyst\t[]\t\t5\t5\t\n",
    )

    with pytest.raises(DataLoadError) as caught:
        load_hh_data_vacancies(path)

    assert [error.line for error in caught.value.errors] == [2, 4]
    assert "line 4, field 'currency'" in str(caught.value)
    assert "on_error='skip'" in str(caught.value)


def test_skip_returns_valid_rows(tmp_path, caplog):
    path = hh_data_file(tmp_path, "\tAnalyst\t[]\t\t\t\t\n", GOOD_DATA_ROW)

    with caplog.at_level(logging.WARNING, logger="mismatch_core.loaders"):
        result = load_hh_data_vacancies(path, on_error="skip")

    assert [job.id for job in result.items] == [101]
    assert result.rows_read == 2
    assert len(result.errors) == 1
    assert "rejected 1" in caplog.text


def test_raise_error_message_truncated(tmp_path):
    rows = [f"{number}\tAnalyst\t[]\tмного\t\t\t\n" for number in range(1, 26)]
    path = hh_data_file(tmp_path, *rows)

    with pytest.raises(DataLoadError) as caught:
        load_hh_data_vacancies(path)

    assert len(caught.value.errors) == 25
    assert "... and 5 more" in str(caught.value)


def test_invalid_on_error(tmp_path):
    path = hh_data_file(tmp_path, GOOD_DATA_ROW)

    with pytest.raises(ValueError, match="'raise', 'skip'"):
        load_hh_data_vacancies(path, on_error="ignore")  # type: ignore[arg-type]


def test_missing_file(tmp_path):
    path = tmp_path / "absent.tsv"

    with pytest.raises(FileNotFoundError, match="absent.tsv"):
        load_hh_data_vacancies(path)


def test_bad_header(tmp_path):
    path = write(tmp_path, "jobs.tsv", "id\tname\ttags\n1\tAnalyst\t[]\n")

    with pytest.raises(DataLoadError) as caught:
        load_hh_data_vacancies(path, on_error="skip")

    assert "missing the columns vacancy_id, experience" in str(caught.value)
    assert "expected the columns vacancy_id, name, tags" in str(caught.value)


def test_empty_file(tmp_path):
    path = write(tmp_path, "jobs.tsv", "")

    with pytest.raises(DataLoadError, match="file is empty"):
        load_hh_data_vacancies(path)


def test_header_with_byte_order_mark(tmp_path):
    path = write(tmp_path, "jobs.tsv", "\ufeff" + HH_DATA_HEADER + GOOD_DATA_ROW)

    result = load_hh_data_vacancies(path)

    assert len(result.items) == 1


def test_invalid_utf8_line(tmp_path):
    path = tmp_path / "jobs.tsv"
    path.write_bytes((HH_DATA_HEADER + GOOD_DATA_ROW).encode() + b"8\tAn\xffalyst\t[]\t\t\t\t\n")

    with pytest.raises(DataLoadError) as caught:
        load_hh_data_vacancies(path, on_error="skip")

    assert caught.value.errors[0].line == 3
    assert "invalid UTF-8" in str(caught.value)


def test_summary_counts(tmp_path):
    path = hh_data_file(
        tmp_path,
        "\tAnalyst\t[]\t\t\t\t\n",
        "8\tAnalyst\t[]\t\t5\t5\t\n",
        "9\tAnalyst\t[]\t\t6\t6\t\n",
        GOOD_DATA_ROW,
    )

    summary = load_hh_data_vacancies(path, on_error="skip").summary()

    assert "loaded 1 of 4 records, rejected 3" in summary
    assert "errors by field: currency 2, vacancy_id 1" in summary


def test_load_error_pickles(tmp_path):
    error = RowError(tmp_path / "x.tsv", 3, "tags", "[", "invalid list literal")
    original = DataLoadError(tmp_path, [error], hint="fix it")

    copy = pickle.loads(pickle.dumps(original))

    assert str(copy) == str(original)
    assert copy.errors == [error]


def test_result_rejected_count():
    result: LoadResult[int] = LoadResult([1, 2], [], 5, Path("x.csv"))

    assert result.rejected == 3


# ---------------------------------------------------------------------------
# hh_it_vacancies.csv
# ---------------------------------------------------------------------------


def test_hh_it_valid_row(tmp_path):
    path = hh_it_file(
        tmp_path,
        '5,Frontend Developer,"JavaScript, React, ,TypeScript",Удалённо,От 3 до 6 лет,96\n',
    )

    job = load_hh_it_vacancies(path).items[0]

    assert job.id == 5
    assert job.skills == ("JavaScript", "React", "TypeScript")
    assert job.remote is True
    assert job.experience_years == 3.0
    assert job.salary_min is None


@pytest.mark.parametrize(
    ("work_format", "remote"),
    [
        ("Удалённо", True),
        ("Удаленно", True),
        ("На месте работодателя", False),
        ("Гибрид", False),
        ("Разъездной", False),
        ("", False),
    ],
)
def test_hh_it_work_format(tmp_path, work_format, remote):
    path = hh_it_file(tmp_path, f"5,Developer,,{work_format},,\n")

    job = load_hh_it_vacancies(path).items[0]

    assert job.remote is remote


def test_hh_it_unknown_work_format(tmp_path):
    path = hh_it_file(tmp_path, "5,Developer,,Office,,\n")

    result = load_hh_it_vacancies(path, on_error="skip")

    assert result.errors[0].field == "work_format_name"


def test_hh_it_unknown_experience(tmp_path):
    path = hh_it_file(tmp_path, "5,Developer,,,Много лет,\n")

    with pytest.raises(DataLoadError) as caught:
        load_hh_it_vacancies(path)

    assert caught.value.errors[0].field == "experience"


# ---------------------------------------------------------------------------
# Field parsers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "years"),
    [
        ("Нет опыта", 0.0),
        ("От 1 года до 3 лет", 1.0),
        ("От 3 до 6 лет", 3.0),
        ("Более 6 лет", 6.0),
        ("Требуемый опыт работы: не требуется", 0.0),
        ("Требуемый опыт работы: 1–3 года", 1.0),
        ("Требуемый опыт работы: 3–6 лет", 3.0),
        ("Требуемый опыт работы: 3-6 лет", 3.0),
        ("Требуемый опыт работы: более 6 лет", 6.0),
        ("  3 — 6 лет ", 3.0),
        ("", None),
    ],
)
def test_experience_band_spellings(spelling, years):
    assert parse_experience_band(spelling) == years


def test_experience_band_unknown():
    with pytest.raises(ValueError, match="unknown experience band"):
        parse_experience_band("От 6 до 10 лет")


@pytest.mark.parametrize(
    ("text", "code"),
    [("₽", "RUB"), ("руб.", "RUB"), ("RUR", "RUB"), ("$", "USD"), ("€", "EUR"), ("kzt", "KZT")],
)
def test_currency_spellings(text, code):
    assert parse_currency(text) == code


def test_currency_empty():
    assert parse_currency(" ") is None


def test_currency_unknown():
    with pytest.raises(ValueError, match="unknown currency"):
        parse_currency("JPY")


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("I have 5 years of experience in Java", 5.0),
        ("13+ years of work experience in SAP", 13.0),
        ("ORACLE DBA WITH 4 YEARS EXPERIENCE.", 4.0),
        ("knowledge and experience of 2 years in Wipro", 2.0),
        ("Total Experience: 2 Years 7 Months", 2.58),
        ("Python- Exprience - 24 months", 2.0),
        ("Java- Experience - 6 months\nSQL- Experience - 36 months", 3.0),
        ("Java- Experience - Less than 1 year months", None),
        ("Duration: 1 Year", None),
        ("worked there from last 5 years", None),
        ("since 2014 years of experience", None),
        ("They have 80 years' experience", None),
        ("", None),
    ],
)
def test_stated_experience(text, years):
    assert parse_stated_experience(text) == years


# ---------------------------------------------------------------------------
# Résumés
# ---------------------------------------------------------------------------


RESUME_CSV = (
    "Category,Resume\n"
    'Data Science,"Skills: NaÃ¯ve Bayes\r\n'
    "Python- Experience - 24 months\r\n"
    'SQL"\n'
    'HR,"Recruiter with 3 years of experience"\n'
    ',"No category here\n'
    'second line"\n'
    'Data Science,"Skills: NaÃ¯ve Bayes\r\n'
    "Python- Experience - 24 months\r\n"
    'SQL"\n'
)


def test_resumes_fields(tmp_path):
    path = write(tmp_path, "resumes.csv", RESUME_CSV)

    resumes = load_resumes_csv(path, on_error="skip").items

    assert [resume.id for resume in resumes] == [1, 2, 4]
    assert resumes[0].title == "Data Science"
    assert resumes[0].text == "Skills: Naïve Bayes\nPython- Experience - 24 months\nSQL"
    assert resumes[0].experience_years == 2.0
    assert resumes[1].experience_years == 3.0
    assert resumes[0].skills == ()


def test_resumes_multiline_line_numbers(tmp_path):
    path = write(tmp_path, "resumes.csv", RESUME_CSV)

    result = load_resumes_csv(path, on_error="skip")

    assert [(error.line, error.field) for error in result.errors] == [(6, "Category")]


def test_resumes_duplicates_kept(tmp_path):
    path = write(tmp_path, "resumes.csv", RESUME_CSV)

    result = load_resumes_csv(path, on_error="skip")

    assert result.duplicates == 1
    assert result.items[2].text == result.items[0].text
    assert "kept 1 duplicate records" in result.summary()


def test_resumes_mojibake_kept(tmp_path):
    path = write(tmp_path, "resumes.csv", RESUME_CSV)

    resumes = load_resumes_csv(path, on_error="skip", fix_mojibake=False).items

    assert "NaÃ¯ve" in resumes[0].text


def test_resumes_raise_on_empty_text(tmp_path):
    path = write(tmp_path, "resumes.csv", 'Category,Resume\nHR,"  "\nHR,ok\n')

    with pytest.raises(DataLoadError) as caught:
        load_resumes_csv(path)

    assert caught.value.errors[0].field == "Resume"


def test_resumes_unterminated_quote(tmp_path):
    path = write(tmp_path, "resumes.csv", 'Category,Resume\nHR,ok\nHR,"never closed\nmore\n')

    with pytest.raises(DataLoadError) as caught:
        load_resumes_csv(path)

    assert caught.value.errors[0].line == 3
    assert "malformed quoting" in caught.value.errors[0].message


def test_resumes_stray_quote_rejected(tmp_path):
    text = (
        "Category,Resume\n"
        'HR,x"TECHNICAL skills\n'
        "Python and SQL\n"
        'IT,"He wrote ""clean"" Python"\n'
    )
    path = write(tmp_path, "resumes.csv", text)

    result = load_resumes_csv(path, on_error="skip")

    first = result.errors[0]
    assert (first.line, first.field) == (2, "Resume")
    assert "quote inside an unquoted field" in first.message
    assert "check them too" in first.message
    # The line the broken field spilled onto is rejected as well, not loaded.
    assert [error.line for error in result.errors] == [2, 3]
    assert [resume.text for resume in result.items] == ['He wrote "clean" Python']


# ---------------------------------------------------------------------------
# O*NET, ESCO and the vocabulary
# ---------------------------------------------------------------------------


def test_onet_distinct_tools(tmp_path):
    path = write(
        tmp_path,
        "onet.tsv",
        ONET_HEADER
        + "11-1011.00\tExcel\t1\tSpreadsheet\tY\tN\r\n"
        + "11-1021.00\t Excel \t1\tSpreadsheet\tY\tN\r\n"
        + "11-1021.00\tSAP\t2\tERP\tN\tN\r\n",
    )

    assert load_onet_skills(path) == ["Excel", "SAP"]


def test_onet_bad_header(tmp_path):
    path = write(tmp_path, "onet.tsv", "Code\tTool\n11-1011.00\tExcel\n")

    with pytest.raises(DataLoadError, match="missing the columns O\\*NET-SOC Code, Example"):
        load_onet_skills(path)


def test_onet_empty_tool(tmp_path):
    path = write(tmp_path, "onet.tsv", ONET_HEADER + "11-1011.00\t\t1\tSpreadsheet\tY\tN\n")

    with pytest.raises(DataLoadError) as caught:
        load_onet_skills(path)

    assert caught.value.errors[0].field == "Example"


def test_esco_labels(tmp_path):
    path = write(tmp_path, "esco.txt", "manage staff\n\n  use SQL\u00a0\r\nmanage staff\nteach")

    assert load_esco_labels(path) == ["manage staff", "use SQL", "teach"]


def test_extend_vocabulary_counts(tmp_path):
    onet = write(tmp_path, "onet.tsv", ONET_HEADER + "11-1011.00\tTableau\t1\tBI\tY\tN\n")
    esco = write(tmp_path, "esco.txt", "tableau\nproject management\n")
    vocabulary = SkillVocabulary()

    added = extend_vocabulary(vocabulary, onet_path=onet, esco_path=esco)

    assert added == 2
    assert vocabulary.skills["Tableau"].source == "onet"
    assert vocabulary.skills["project management"].category == "skill"


def test_extend_vocabulary_no_paths():
    with pytest.raises(ValueError, match="onet_path, esco_path"):
        extend_vocabulary(SkillVocabulary())


# ---------------------------------------------------------------------------
# Both vacancy files together
# ---------------------------------------------------------------------------


def test_real_jobs_id_collision(tmp_path):
    hh_it_file(tmp_path, "101,Developer,,,,\n", "102,Tester,,,,\n")
    hh_data_file(tmp_path, GOOD_DATA_ROW, "103\tAnalyst\t[]\t\t\t\t\n")

    result = load_real_jobs(tmp_path)

    assert [job.id for job in result.items] == [101, 102, 103]
    assert result.items[0].title == "Developer"
    assert result.rows_read == 4
    assert [(error.path.name, error.line) for error in result.errors] == [
        ("hh_data_vacancies.tsv", 2)
    ]
    assert "hh_it_vacancies.csv, line 2" in result.errors[0].message


def test_real_jobs_raise(tmp_path):
    hh_it_file(tmp_path, "101,Developer,,,,\n")
    hh_data_file(tmp_path, GOOD_DATA_ROW, "\tAnalyst\t[]\t\t\t\t\n")

    with pytest.raises(DataLoadError) as caught:
        load_real_jobs(tmp_path, on_error="raise")

    assert [error.field for error in caught.value.errors] == ["vacancy_id", "vacancy_id"]


def test_real_jobs_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="folder not found"):
        load_real_jobs(tmp_path / "nowhere")


# ---------------------------------------------------------------------------
# The real files. The expected counts were measured with these loaders.
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data_dir() -> Path:
    folder = shared_data_dir()
    if folder is None:
        pytest.skip("no real data: set MISMATCH_DATA_DIR or place the files in ../shared/data")
    return folder


@pytest.mark.real_data
def test_real_hh_it(data_dir):
    result = load_hh_it_vacancies(data_dir / "hh_it_vacancies.csv")

    assert result.rows_read == 1087
    assert len(result.items) == 1087
    assert sum(1 for job in result.items if job.skills) == 328
    assert sum(1 for job in result.items if job.experience_years is None) == 552
    assert {job.experience_years for job in result.items} == {None, 0.0, 1.0, 3.0, 6.0}


@pytest.mark.real_data
def test_real_hh_data(data_dir):
    result = load_hh_data_vacancies(data_dir / "hh_data_vacancies.tsv", on_error="skip")
    id_errors = [error for error in result.errors if error.field == "vacancy_id"]
    fields = sorted(error.field for error in result.errors)

    assert result.rows_read == 800
    assert [error.line for error in id_errors] == [2]
    # 27 records state a small salary (1 to 1440) without a currency, 3 have only an id.
    assert fields == ["currency"] * 27 + ["name"] * 3 + ["vacancy_id"]
    assert len(result.items) == 769
    assert {job.experience_years for job in result.items} <= {None, 0.0, 1.0, 3.0, 6.0}
    assert {job.currency for job in result.items} == {None, "RUB", "USD", "EUR"}


@pytest.mark.real_data
def test_real_hh_data_raises(data_dir):
    with pytest.raises(DataLoadError) as caught:
        load_hh_data_vacancies(data_dir / "hh_data_vacancies.tsv")

    assert len(caught.value.errors) == 31


@pytest.mark.real_data
def test_real_jobs_combined(data_dir):
    result = load_real_jobs(data_dir)

    assert result.rows_read == 1887
    assert len(result.items) == 1856
    assert len({job.id for job in result.items}) == 1856


@pytest.mark.real_data
def test_real_resumes(data_dir):
    result = load_resumes_csv(data_dir / "resumes_en.csv")

    assert len(result.items) == 962
    assert len({resume.title for resume in result.items}) == 25
    assert result.duplicates == 962 - 166
    assert not any("NaÃ¯ve" in resume.text for resume in result.items)
    assert any("Naïve" in resume.text for resume in result.items)


@pytest.mark.real_data
def test_real_onet(data_dir):
    assert len(load_onet_skills(data_dir / "onet_technology_skills.tsv")) == 8745


@pytest.mark.real_data
def test_real_esco(data_dir):
    # The file has 13,895 line breaks and no break after its last label, so 13,896 labels.
    assert len(load_esco_labels(data_dir / "esco_skill_labels.txt")) == 13896


def test_unclosed_quote_names_swallowed_lines(tmp_path):
    path = tmp_path / "it.csv"
    path.write_text(
        "id,name,key_skills,work_format_name,experience,specialization_id\n"
        '1,Analyst,"SQL, Python,Удалённо,Нет опыта,1\n'
        "2,Tester,QA,,Нет опыта,2\n",
        encoding="utf-8",
    )
    with pytest.raises(DataLoadError) as error:
        load_hh_it_vacancies(path)
    assert "line 2 to line 3" in str(error.value)
