from mismatch_core.text import normalize_text, terms, tokenize


def test_normalize_folds_case_and_yo():
    assert normalize_text("ЁЛКА Ёжик") == "елка ежик"


def test_normalize_applies_nfkc():
    assert normalize_text("ﬁle Ｐｙｔｈｏｎ") == "file python"


def test_normalize_folds_dashes_and_quotes():
    assert normalize_text("3–6 лет — «опыт»") == '3-6 лет - "опыт"'


def test_normalize_collapses_whitespace():
    assert normalize_text("  a \t\n b  ") == "a b"


def test_tokenize_keeps_language_suffixes():
    assert tokenize("C++, C# и .NET") == ["c++", "c#", "и", ".net"]


def test_tokenize_splits_hyphens_and_slashes():
    assert tokenize("scikit-learn CI/CD") == ["scikit", "learn", "ci", "cd"]


def test_tokenize_folds_mixed_script_tokens():
    # "Pythоn" below has a Cyrillic "о".
    assert tokenize("Pyth\u043en") == ["python"]


def test_tokenize_leaves_pure_cyrillic_alone():
    assert tokenize("Москва") == ["москва"]


def test_terms_stem_russian_inflections():
    assert terms("разработчика") == terms("разработчиков")


def test_terms_stem_english_plurals():
    assert terms("developers") == terms("developer")


def test_terms_drop_stop_words_and_numbers():
    assert terms("the и 2024 python") == terms("python")


def test_normalize_rejects_non_string():
    import pytest

    with pytest.raises(TypeError):
        normalize_text(None)  # type: ignore[arg-type]


def test_stemming_is_thread_safe():
    import threading

    from mismatch_core.text import stem_russian

    words = [f"разработчиками{i}ового" for i in range(3_000)] + ["машинного", "обучения"] * 500
    expected = [stem_russian(word) for word in words]
    failures = []

    def stem_all():
        try:
            if [stem_russian(word) for word in words] != expected:
                failures.append("different stems")
        except Exception as error:  # noqa: BLE001 - any crash is the failure under test
            failures.append(repr(error))

    threads = [threading.Thread(target=stem_all) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
