"""Language detection: ISO 639-1 codes, None when unsure, the declared language as a tie-breaker."""
from __future__ import annotations

import pytest

from worker.cleaning.language import LanguageDetector, sample_text


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector()


@pytest.mark.parametrize("language, text", [
    ("en", "The council voted on Tuesday to build two new schools in the northern district, ending a debate "
           "that had lasted for more than three years."),
    ("de", "Der Stadtrat hat am Dienstag beschlossen, zwei neue Schulen im nördlichen Bezirk zu bauen, und "
           "damit eine Debatte beendet, die mehr als drei Jahre gedauert hatte."),
    ("fr", "Le conseil municipal a voté mardi la construction de deux nouvelles écoles dans le quartier nord, "
           "mettant fin à un débat qui durait depuis plus de trois ans."),
    ("es", "El ayuntamiento votó el martes la construcción de dos nuevas escuelas en el distrito norte, "
           "poniendo fin a un debate que había durado más de tres años."),
    ("pl", "Rada miasta zagłosowała we wtorek za budową dwóch nowych szkół w północnej dzielnicy, kończąc "
           "debatę, która trwała ponad trzy lata."),
    ("ja", "市議会は火曜日、北部地区に新しい学校を二校建設することを決定し、三年以上続いた議論に終止符を打った。"),
    ("ru", "Городской совет во вторник проголосовал за строительство двух новых школ в северном районе, "
           "положив конец спорам, которые длились более трёх лет."),
    # CLD2 says "iw" (the withdrawn code) for Hebrew and "zh-Hant" for traditional Chinese.
    ("he", "מועצת העיר הצביעה ביום שלישי על בניית שני בתי ספר חדשים ברובע הצפוני, וסיימה ויכוח שנמשך יותר משלוש שנים."),
    ("zh", "市議會週二投票決定在北部地區新建兩所學校，結束了持續三年多的爭論。市長表示，工程預計明年春天開始。"),
])
def test_languages(detector, language, text):
    assert detector.detect([text]) == language


def test_a_confident_detection_overrides_a_wrong_declaration(detector):
    german = ("Der Stadtrat hat am Dienstag beschlossen, zwei neue Schulen im nördlichen Bezirk zu bauen, und "
              "damit eine Debatte beendet, die mehr als drei Jahre gedauert hatte.")
    assert detector.detect([german], declared="en-US") == "de"


def test_too_little_text_leaves_the_declared_language_or_none(detector):
    assert detector.detect(["OK"], declared="pt_BR") == "pt"
    assert detector.detect(["OK"]) is None
    assert detector.detect([], declared="not a code") is None


def test_when_the_model_is_unsure_the_declaration_decides(detector):
    unsure = LanguageDetector(min_confidence=1.01)  # nothing is ever sure enough
    text = "The council voted on Tuesday to build two new schools in the northern district."
    assert unsure.detect([text], declared="en") == "en"
    assert unsure.detect([text]) is None


def test_text_the_detector_refuses_leaves_the_declared_language(detector):
    # CLD2 refuses control characters (normalization removes them first; here they are left in).
    text = "The council voted on Tuesday to build two new schools in the northern district.\x01\x02"
    assert detector.detect([text], declared="en-GB") == "en"
    assert detector.detect([text]) is None


def test_the_sample_comes_from_the_middle_of_the_article():
    paragraphs = ["a" * 1000, "b" * 1000, "c" * 1000]
    sample = sample_text(paragraphs, 500)
    assert set(sample) == {"b"} and len(sample) == 500
    assert sample_text(["short", "text"], 500) == "short text"


@pytest.mark.parametrize("text", ["ꀀꀁꀂ " * 200, "𓀀𓀁 " * 200, "ᚠᚡᚢ " * 200])
def test_a_script_without_a_language_is_no_language_code(detector, text):
    """CLD2 answers "xx-Yiii", "xx-Egyp", "xx-Runr" for these scripts: not ISO 639-1 ("xx" came out)."""
    assert detector.detect([text]) is None
    assert detector.detect([text], "en") == "en"
