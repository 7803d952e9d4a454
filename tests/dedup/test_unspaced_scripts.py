"""Texts in scripts written without spaces (Chinese here) get character-bigram shingles: a lightly
edited copy is a near duplicate, another article on another story is not."""
from __future__ import annotations

from datetime import timedelta

from worker.config import DedupSettings
from worker.dedup.shingles import tokens
from worker.models import DedupDecision
from worker.state import MemoryIndex

from .conftest import T0, article

SUBWAY = (
    "本报讯 记者昨日从市交通运输局获悉，经过四年建设，本市地铁十二号线一期工程将于本月二十八日正式开通运营。"
    "该线路全长约二十六公里，共设车站十九座，其中换乘站六座，连接城市东部的高新技术开发区和西部的老城区。"
    "开通初期，列车最小行车间隔为五分三十秒，首班车时间为早上六点，末班车时间为晚上十一点。"
    "市交通运输局有关负责人表示，十二号线开通后，东西两区之间的通勤时间将从一个多小时缩短到四十分钟左右，"
    "预计日均客流量可达三十万人次，沿线居民出行将更加方便。"
    "为保障开通初期的运营安全，地铁公司已组织多轮空载试运行和应急演练，并在各车站增派工作人员引导乘客。"
    "负责人同时提醒市民，开通首周客流较大，请尽量错峰出行，并提前通过官方应用程序查询列车时刻。"
)
# Two phrases reworded, one sentence dropped, one added: what a portal does to a wire story.
SUBWAY_EDITED = (
    "本报讯 记者从市交通运输局了解到，经过四年建设，本市地铁十二号线一期工程将于本月二十八日正式开通运营。"
    "该线路全长约二十六公里，共设车站十九座，其中换乘站六座，连接城市东部的高新技术开发区和西部的老城区。"
    "开通初期，列车最小行车间隔为五分三十秒，首班车时间为早上六点，末班车时间为晚上十一点。"
    "市交通运输局相关负责人介绍，十二号线开通后，东西两区之间的通勤时间将从一个多小时缩短到四十分钟左右，"
    "预计日均客流量可达三十万人次，沿线居民出行将更加方便。"
    "负责人同时提醒市民，开通首周客流较大，请尽量错峰出行，并提前通过官方应用程序查询列车时刻。"
    "据悉，十二号线二期工程也已开工建设。"
)
HARVEST = (
    "新华社电 今年入秋以来，南方多个省份天气晴好，水稻收割进度明显快于往年。"
    "农业农村部最新数据显示，截至本周，全国中稻已收获七成以上，早熟品种的单产普遍比去年有所提高。"
    "在湖南省一个产粮大县，合作社负责人告诉记者，今年他们采用了新的育秧技术和病虫害统一防治，"
    "每亩平均增产约五十公斤，收割机从早到晚在田间作业，烘干设备也满负荷运转。"
    "专家指出，前期适度的降雨和充足的光照为水稻灌浆提供了有利条件，但部分地区仍需防范秋季连阴雨对晾晒的影响。"
    "农业部门提醒农户及时收割、及时烘干，做好粮食收储工作，确保颗粒归仓。"
    "与此同时，多地粮食收购企业已经开秤收购，收购价格总体保持稳定，农民种粮收益有望继续增加。"
)


def test_a_chinese_article_gets_a_signature_from_character_bigrams(fingerprinter):
    fp = fingerprinter.fingerprint(article("zh", SUBWAY))
    assert fp.signature and fp.shingle_count >= DedupSettings().min_shingles


def test_a_lightly_edited_chinese_copy_is_a_near_duplicate_and_another_story_is_not(fingerprinter):
    index = MemoryIndex(DedupSettings())
    original = fingerprinter.fingerprint(article("subway", SUBWAY))
    edited = fingerprinter.fingerprint(article("subway-edited", SUBWAY_EDITED, url="https://portal.example/subway",
                                               at=T0 + timedelta(hours=1)))
    other = fingerprinter.fingerprint(article("harvest", HARVEST, url="https://wire.example/harvest",
                                              at=T0 + timedelta(hours=2)))
    assert index.decide(original) == DedupDecision.unique()
    decision = index.decide(edited)
    assert (decision.duplicate_of, decision.method) == ("subway", "near")
    assert index.decide(other) == DedupDecision.unique()


def test_thai_and_japanese_are_tokenized_by_character_and_latin_words_stay_whole():
    assert tokens("東京の天気 ภาษาไทย iPhone 15") == ["東", "京", "の", "天", "気", "ภ", "า", "ษ", "า", "ไ", "ท", "ย",
                                                      "iphone", "15"]


def test_korean_teaser_headlines_around_a_consent_wall_are_not_prose():
    """A character of Korean or Chinese weighs half a word in the comparability rules: a site's
    short Korean headlines (eight characters and more each) around a consent wall are not the prose
    of an article, and the wall is not compared; a Chinese article is compared as before."""
    from worker.dedup.comparable import CONSENT_NOTICE, reason_of

    teasers = "\n\n".join(["‘VIP’ 불륜에 부조리까지 덮친 장나라,..", "‘보좌관2’ 꿈과 현실 사이, 이정재 앞에..",
                           "기적적 독도행 ‘어서와’, 노르웨..", "‘우아한 가’ 배종옥, 여태껏 이..",
                           "설리, 무엇이 이 스물다섯 청춘의..", "‘골목식당’ 결국 대폭발한 백종..",
                           "모두가 기대한다는 ‘청춘시대3’..", "티파니, 자필 사과에도 비난 수그.."])
    wall = ("Noi e i nostri partner archiviamo e/o accediamo a informazioni su un dispositivo, come i cookie, "
            "e trattiamo dati personali per annunci e contenuti personalizzati.\n\nACCETTA\n\nPIÙ OPZIONI")
    settings = DedupSettings()
    assert reason_of(teasers + "\n\n" + wall + "\n\n" + teasers.replace("..", " 기사"), settings) == CONSENT_NOTICE
    assert reason_of(SUBWAY, settings) is None
    assert reason_of("\n\n".join([SUBWAY, wall]), settings) is None
