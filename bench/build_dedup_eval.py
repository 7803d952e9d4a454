"""Build the labelled dedup evaluation set: bench/data/dedup_eval.jsonl.gz.

A stream of pages in fetch order, each labelled with its kind and the answer the dedup stage must
give. Made deterministically (seed below) from the 181 benchmark article bodies
(../shared/benchmarks/article-extraction/ground-truth.json) and the seed dumps (../shared/seeds).

Originals (unique, canonical) and their copies (duplicate of the original):
- syndicated   same body and title under another site's boilerplate and URL
- spun         machine-spun: synonyms swapped, clauses reordered, stray " ," artifacts, title reworded
- spun_real    seed 001, the real spun copy of seed 000
- truncated    the first 40-80 % of the paragraphs, elsewhere
- edited       a light update: a sentence added, a figure changed, a word fixed, a paragraph dropped
- recrawl      the same URL fetched again later, lightly edited      (must be method "url")
- url_variant  the same page under a URL variant (www, http, utm_*, fragment, slash)  ("url")
- short_copy   a short brief reposted word for word elsewhere        ("exact")
Hard negatives (unique):
- template     different articles under one heavy site template (seed 000's real header/footer)
- same_story   different articles on the same story (seeds 002, 003, 004 against 000), and the
               closest pairs of the benchmark: two rewrites of one tour announcement, two press
               releases of one company, two posts of one theatre blog (SAME_STORY_PAIRS)
- short        short formulaic briefs that share most of their wording but report other facts

Each line: {"seq", "kind", "expect": "unique"|"duplicate", "original": seq of the canonical or
null, "url", "fetched_at", "title", "text" (the article body: what a perfect cleaner returns),
"template": name of the boilerplate around it in the page, or null}. bench/dedup_eval.py rebuilds
the page (template header + title + text + footer) from that and data/dedup_eval_templates.json.

Run: .venv/bin/python bench/build_dedup_eval.py
"""
from __future__ import annotations

import gzip
import json
import random
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson

SEED = 20241121
HERE = Path(__file__).resolve().parent
SHARED = Path("/work/shared")
OUT = HERE / "data" / "dedup_eval.jsonl.gz"
TEMPLATES_OUT = HERE / "data" / "dedup_eval_templates.json"
START = datetime(2024, 3, 1, tzinfo=timezone.utc)

# Word -> replacements, as a spinner's thesaurus swaps them (case is kept at the call site).
SYNONYMS = {
    "said": ["stated", "mentioned", "added"], "says": ["states", "mentions"], "told": ["informed"],
    "big": ["large", "huge"], "large": ["big", "massive"], "small": ["little", "tiny"],
    "new": ["latest", "fresh"], "latest": ["newest", "most recent"], "old": ["previous", "former"],
    "people": ["individuals", "persons"], "company": ["firm", "business"], "companies": ["firms", "businesses"],
    "government": ["administration", "authorities"], "officials": ["authorities", "representatives"],
    "official": ["representative", "authority"], "country": ["nation", "state"], "countries": ["nations"],
    "increase": ["rise", "growth"], "increased": ["raised", "boosted"], "decrease": ["decline", "drop"],
    "show": ["demonstrate", "reveal"], "shows": ["demonstrates", "reveals"], "showed": ["revealed"],
    "help": ["assist", "aid"], "helps": ["assists"], "helped": ["assisted"], "use": ["utilize", "employ"],
    "used": ["utilized", "employed"], "using": ["utilizing", "employing"], "uses": ["utilizes"],
    "make": ["create", "produce"], "made": ["created", "produced"], "makes": ["creates"],
    "get": ["obtain", "receive"], "got": ["obtained", "received"], "gets": ["obtains"],
    "begin": ["start", "commence"], "began": ["started", "commenced"], "start": ["begin", "launch"],
    "started": ["began", "launched"], "end": ["finish", "close"], "ended": ["finished", "concluded"],
    "important": ["significant", "crucial"], "major": ["key", "principal"], "main": ["primary", "chief"],
    "many": ["numerous", "several"], "most": ["the majority of"],
    "also": ["additionally", "furthermore"], "however": ["nevertheless", "still"], "but": ["yet", "though"],
    "because": ["since", "as"], "about": ["regarding", "concerning"], "around": ["roughly", "approximately"],
    "near": ["close to", "next to"], "after": ["following"], "before": ["prior to", "ahead of"],
    "during": ["throughout", "in the course of"], "while": ["whereas", "whilst"],
    "week": ["seven days"], "year": ["twelve months"], "today": ["this day"], "recently": ["lately"],
    "soon": ["shortly"], "quickly": ["rapidly", "swiftly"], "quick": ["rapid", "swift"],
    "fast": ["rapid", "speedy"], "slow": ["sluggish"], "high": ["elevated", "lofty"], "low": ["reduced"],
    "good": ["great", "fine"], "bad": ["poor", "terrible"], "best": ["finest", "top"], "worst": ["poorest"],
    "better": ["superior", "improved"], "hard": ["difficult", "tough"], "easy": ["simple", "effortless"],
    "problem": ["issue", "difficulty"], "problems": ["issues", "difficulties"], "issue": ["matter", "problem"],
    "issues": ["matters", "problems"], "plan": ["scheme", "strategy"], "plans": ["schemes", "strategies"],
    "report": ["account", "study"], "reported": ["stated", "announced"], "reports": ["accounts"],
    "announced": ["declared", "revealed"], "announce": ["declare"], "warned": ["cautioned", "alerted"],
    "warn": ["caution"], "believe": ["think", "consider"], "believes": ["thinks"], "think": ["believe"],
    "want": ["wish", "desire"], "wants": ["wishes", "desires"], "wanted": ["wished"], "need": ["require"],
    "needs": ["requires"], "needed": ["required"], "try": ["attempt"], "tried": ["attempted"],
    "allow": ["permit", "enable"], "allowed": ["permitted"], "allows": ["permits", "enables"],
    "build": ["construct"], "built": ["constructed"], "buy": ["purchase"], "bought": ["purchased"],
    "sell": ["market"], "sold": ["marketed"], "pay": ["compensate"], "paid": ["compensated"],
    "money": ["cash", "funds"], "job": ["position", "role"], "jobs": ["positions", "roles"],
    "work": ["labor", "effort"], "worked": ["labored"], "working": ["laboring"], "workers": ["employees"],
    "city": ["town", "municipality"], "area": ["region", "zone"], "region": ["area", "territory"],
    "house": ["home", "residence"], "home": ["house", "residence"], "car": ["vehicle", "automobile"],
    "cars": ["vehicles", "automobiles"], "children": ["kids", "youngsters"], "child": ["kid", "youngster"],
    "woman": ["lady"], "women": ["ladies"], "man": ["gentleman", "guy"], "men": ["gentlemen", "guys"],
    "group": ["team", "band"], "team": ["squad", "group"], "leader": ["head", "chief"],
    "leaders": ["heads", "chiefs"], "president": ["leader"], "minister": ["secretary"],
    "military": ["armed forces", "army"], "troops": ["soldiers", "forces"], "soldiers": ["troops"],
    "forces": ["troops", "army"], "border": ["frontier", "boundary"], "attack": ["assault", "strike"],
    "war": ["conflict", "combat"], "fight": ["battle", "combat"], "police": ["law enforcement"],
    "deal": ["agreement", "pact"], "agreement": ["deal", "accord"], "meeting": ["conference", "gathering"],
    "talks": ["discussions", "negotiations"], "discuss": ["talk about", "debate"], "market": ["marketplace"],
    "price": ["cost", "value"], "prices": ["costs", "values"], "rise": ["increase", "climb"],
    "rose": ["climbed", "increased"], "fell": ["dropped", "declined"], "fall": ["drop", "decline"],
    "change": ["alteration", "shift"], "changes": ["alterations", "shifts"], "changed": ["altered", "shifted"],
    "move": ["step", "shift"], "moved": ["shifted", "relocated"], "result": ["outcome", "consequence"],
    "results": ["outcomes", "findings"], "study": ["research", "analysis"], "research": ["study", "analysis"],
    "data": ["information", "figures"], "information": ["data", "details"], "way": ["method", "manner"],
    "ways": ["methods", "means"], "place": ["location", "spot"], "time": ["period", "moment"],
    "times": ["occasions"], "day": ["date"], "days": ["dates"], "part": ["portion", "section"],
    "number": ["amount", "quantity"], "percent": ["per cent", "%"], "million": ["mn"], "billion": ["bn"],
    "according": ["as per"], "expected": ["anticipated", "predicted"], "expect": ["anticipate"],
    "likely": ["probable", "apt"], "possible": ["feasible", "potential"],
    "concern": ["worry", "fear"], "concerns": ["worries", "fears"], "worried": ["concerned", "anxious"],
    "fears": ["worries", "concerns"], "tension": ["strain", "friction"], "tensions": ["strains", "frictions"],
    "safety": ["security", "protection"], "security": ["safety", "protection"], "ability": ["capacity"],
    "able": ["capable"], "right": ["entitlement"], "rapidly": ["quickly", "swiftly"],
    "immediate": ["instant", "prompt"], "steady": ["stable", "constant"], "alarmed": ["worried", "alarmed"],
    "described": ["characterized", "portrayed"], "suggestion": ["proposal", "idea"],
    "pursuing": ["following", "chasing"], "peaceful": ["calm", "tranquil"], "ensure": ["guarantee", "secure"],
    "emphasizing": ["stressing", "highlighting"], "possibility": ["chance", "likelihood"],
    "joining": ["entering"], "virtual": ["online"], "tense": ["strained", "fraught"],
    "preparing": ["readying", "getting ready"], "series": ["set", "string"], "sanctions": ["penalties"],
    "further": ["additional", "more"], "clarity": ["clearness"], "whether": ["if"], "launch": ["begin", "start"],
    "attempt": ["effort", "try"], "spread": ["disseminate"], "fear": ["dread", "worry"],
    "goal": ["aim", "objective"], "operations": ["activities"], "neighboring": ["adjacent", "nearby"],
    "intensified": ["stepped up", "heightened"], "gathering": ["collecting"], "escalation": ["intensification"],
    "users": ["consumers", "customers"], "customers": ["clients", "consumers"], "service": ["facility"],
    "services": ["facilities"], "product": ["item", "offering"], "products": ["items", "goods"],
    "game": ["match", "contest"], "games": ["matches", "contests"], "player": ["athlete"],
    "players": ["athletes"], "season": ["campaign"], "win": ["victory", "triumph"], "won": ["secured", "claimed"],
    "lost": ["forfeited"], "support": ["backing", "assistance"], "supported": ["backed"],
    "community": ["society", "neighborhood"], "public": ["general public"], "school": ["academy"],
    "students": ["pupils", "learners"], "health": ["wellbeing", "wellness"], "care": ["attention"],
    "doctors": ["physicians"], "doctor": ["physician"], "patients": ["sufferers"], "hospital": ["medical center"],
    "law": ["legislation", "statute"], "laws": ["legislation", "statutes"], "court": ["tribunal"],
    "case": ["instance", "lawsuit"], "cases": ["instances"], "decision": ["ruling", "verdict"],
    "power": ["authority", "strength"], "technology": ["tech"], "phone": ["handset", "mobile"],
    "phones": ["handsets", "mobiles"], "app": ["application"], "apps": ["applications"],
    "feature": ["function", "characteristic"], "features": ["functions", "characteristics"],
    "system": ["framework", "setup"], "systems": ["frameworks"], "world": ["globe", "planet"],
    "global": ["worldwide", "international"], "local": ["regional", "neighborhood"], "national": ["nationwide"],
    "election": ["vote", "poll"], "vote": ["ballot"], "voters": ["electors"], "party": ["faction"],
    "campaign": ["drive", "crusade"], "policy": ["strategy", "approach"], "economy": ["financial system"],
    "growth": ["expansion", "development"], "development": ["growth", "progress"], "industry": ["sector"],
    "large-scale": ["wide-scale"], "huge": ["enormous", "massive"], "several": ["various"],
}
_THESAURUS_WORDS = sorted({word for choices in SYNONYMS.values() for word in choices})
# Sentence-level rewordings a spinner makes (applied to the whole sentence text).
REWORDINGS = [
    (re.compile(r"^(.{12,}?), (according to [^,.]+)([.!?])$"), lambda m: f"{m.group(2)[0].upper()}{m.group(2)[1:]}, {m.group(1)[0].lower()}{m.group(1)[1:]}{m.group(3)}"),
    (re.compile(r"^(.{20,}?), (\w+(?: \w+){0,3}) said([.!?])$"), lambda m: f"{m.group(2)} said that {m.group(1)}{m.group(3)}"),
    (re.compile(r"^(On|In|During|After|Before) ([^,]{3,40}), (.+)([.!?])$"), lambda m: f"{m.group(3)[0].upper()}{m.group(3)[1:]} {m.group(1).lower()} {m.group(2)}{m.group(4)}"),
    (re.compile(r"^(.{20,}?), (but|and|while) (.{20,})([.!?])$"), lambda m: f"{m.group(3)[0].upper()}{m.group(3)[1:]}, {m.group(2)} {m.group(1)[0].lower()}{m.group(1)[1:]}{m.group(4)}"),
]
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“‘'])")


def spin(text: str, rng: random.Random, swap: float = 0.9, other: float = 0.2, reword: float = 0.6,
         artifacts: float = 0.15) -> str:
    """A machine-spun copy: most thesaurus words swapped, sentences reworded, stray " ," left behind.

    Real spinners have far larger thesauri than SYNONYMS, so a share `other` of the remaining lower
    case words of 4+ letters is swapped too, for a word from the thesaurus: for word shingles that is
    the same change (one token for another). With these rates the spun copies are at least as far
    from their originals as the real pair: word-bigram Jaccard 0.46 for seeds 000/001.
    """
    paragraphs = []
    for paragraph in text.split("\n\n"):
        sentences = []
        for sentence in SENTENCE_END.split(paragraph.strip()):
            if rng.random() < reword:
                for pattern, replacement in REWORDINGS:
                    if pattern.search(sentence):
                        sentence = pattern.sub(replacement, sentence, count=1)
                        break
            sentence = _swap_words(sentence, rng, swap, other)
            if rng.random() < artifacts:
                sentence = sentence + " ,"
            if rng.random() < artifacts / 2 and sentence:
                sentence = sentence[0].lower() + sentence[1:]
            sentences.append(sentence)
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)


def _swap_words(sentence: str, rng: random.Random, rate: float, other: float = 0.0) -> str:
    def swap(match: re.Match) -> str:
        word = match.group(0)
        choices = SYNONYMS.get(word.lower())
        if not choices:
            if other and len(word) >= 4 and word.islower() and rng.random() < other:
                return rng.choice(_THESAURUS_WORDS)
            return word
        if rng.random() >= rate:
            return word
        new = rng.choice(choices)
        return new[0].upper() + new[1:] if word[0].isupper() else new

    return re.sub(r"[A-Za-z][A-Za-z-]*", swap, sentence)


def truncate(text: str, rng: random.Random) -> str:
    paragraphs = text.split("\n\n")
    words = len(text.split())
    share = rng.uniform(0.4, 0.8)
    kept, count = [], 0
    for paragraph in paragraphs:
        if kept and count >= share * words:
            break
        kept.append(paragraph)
        count += len(paragraph.split())
    if len(kept) == len(paragraphs):  # one long paragraph: cut inside it, at a sentence
        sentences = SENTENCE_END.split(text)
        kept = [" ".join(sentences[: max(1, int(len(sentences) * share))])]
    return "\n\n".join(kept)


def edit(text: str, rng: random.Random) -> str:
    """A light update: one figure changed, a word fixed, maybe a paragraph dropped, an update line added."""
    paragraphs = text.split("\n\n")
    if len(paragraphs) > 4 and rng.random() < 0.5:
        paragraphs.pop(rng.randrange(1, len(paragraphs)))
    edited = "\n\n".join(paragraphs)
    numbers = list(re.finditer(r"\b\d+\b", edited))
    if numbers:
        match = rng.choice(numbers)
        edited = edited[: match.start()] + str(int(match.group(0)) + rng.randint(1, 9)) + edited[match.end():]
    edited = re.sub(r"\b(very|really|just)\b ", "", edited, count=1)
    update = rng.choice([
        "This article has been updated with additional details.",
        "Update: a spokesperson did not respond to a request for comment by publication time.",
        "Correction: an earlier version of this story misstated a figure.",
    ])
    return f"{edited}\n\n{update}"


def url_variant(url: str, rng: random.Random) -> str:
    scheme, rest = url.split("://", 1)
    host, _, path = rest.partition("/")
    bare = host.removeprefix("www.")
    options = [
        f"http://{bare}/{path}",
        f"https://www.{bare}/{path}",
        f"{url}#comments",
        f"{url}{'&' if '?' in url else '?'}utm_source=newsletter&utm_medium=email&utm_campaign=daily",
        f"{url}{'&' if '?' in url else '?'}fbclid=IwAR{rng.randrange(10**8)}",
        f"https://{host.upper()}/{path}",
    ]
    if "?" not in url and not url.endswith("/"):
        options.append(f"{url}/")
    return rng.choice(options)


def spin_title(title: str, rng: random.Random, site: str) -> str:
    return f"{_swap_words(title, rng, 0.9)} – {site}"


# --- Site boilerplate -----------------------------------------------------------------------------

SITES = ["dailywire-news.example", "the-courier.example", "metro-herald.example", "newsdesk24.example",
         "worldreport.example", "globalpost.example", "citytimes.example", "eveningstar.example"]
NAV = ["Home", "World", "Politics", "Business", "Tech", "Science", "Health", "Sports", "Opinion", "Video"]


def site_template(site: str, rng: random.Random, related: list[str]) -> dict[str, str]:
    name = site.split(".")[0].replace("-", " ").title()
    nav = rng.sample(NAV, 7)
    header = "\n".join([name, "", *nav, "Subscribe", "Sign in", ""])
    footer = "\n".join(["", "Share this article", "Facebook", "Twitter", "Email", "", "Related stories",
                        *rng.sample(related, 6), "", f"© 2024 {name}. All rights reserved.",
                        "Privacy Policy", "Terms of Use", "Cookie settings"])
    return {"header": header, "footer": footer}


def heavy_template() -> dict[str, str]:
    """Seed 000's real site boilerplate: a short header and a footer of ~40 headline links."""
    lines = (SHARED / "seeds/000_ebae451186ceb249.txt").read_text().splitlines()
    return {"header": "\n".join(lines[0:5]), "footer": "\n".join(lines[37:])}


def seed_article(name: str) -> tuple[str, str]:
    """A seed dump cut by hand to (title, body): the boilerplate lines removed."""
    path = next((SHARED / "seeds").glob(f"{name}_*.txt"))
    lines = path.read_text().splitlines()
    cut = {"000": (7, 37), "001": (0, None), "002": (0, None), "003": (3, None), "004": (0, None)}[name]
    kept = lines[cut[0]: cut[1]]
    title = kept[0].strip()
    body = "\n\n".join(line.strip() for line in kept[1:] if line.strip())
    return title, body


# --- Short formulaic briefs (hard negatives: same wording, other facts) ---------------------------

CITIES = ["Springfield", "Riverton", "Lakeside", "Fairview", "Greenville", "Madison", "Clinton", "Franklin",
          "Georgetown", "Salem", "Ashland", "Burlington", "Dover", "Hudson", "Kingston", "Milford"]
STREETS = ["Main Street", "Oak Avenue", "Park Road", "Elm Street", "River Drive", "Hill Lane", "Lake Road"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
CRIMES = ["burglary", "robbery", "car theft", "assault", "break-in"]


def short_brief(rng: random.Random) -> tuple[str, str]:
    city, street, day, crime = rng.choice(CITIES), rng.choice(STREETS), rng.choice(DAYS), rng.choice(CRIMES)
    age = rng.randint(19, 64)
    title = f"{city} police arrest {age}-year-old after {crime}"
    body = (f"{city} police arrested a {age}-year-old man on {day} in connection with a {crime} on {street}, "
            f"officials said. The suspect was taken to the county jail and is expected to appear in court "
            f"later this week. Anyone with information is asked to call the {city} Police Department.")
    return title, body


# The most similar pairs of different benchmark articles (word-bigram Jaccard 0.17-0.22).
SAME_STORY_PAIRS = [
    ("billboard.com/articles/news/8544119/doobie-brothers", "rollingstone.com/music/music-news/doobie-brothers"),
    ("my6sense.com/2018/07/02/", "my6sense.com/2018/02/15/"),
    ("jeongdongtheater.com/blog/2018/10/12/", "jeongdongtheater.com/blog/2018/10/15/"),
]


# --- The stream -----------------------------------------------------------------------------------

def build() -> tuple[list[dict], dict[str, dict[str, str]]]:
    rng = random.Random(SEED)
    truth = json.loads((SHARED / "benchmarks/article-extraction/ground-truth.json").read_text())
    pages = sorted(truth.items())
    rng.shuffle(pages)
    bodies = [(key, page["url"], _paragraphs(page["articleBody"])) for key, page in pages]
    pairs = [[next(b for b in bodies if part in b[1]) for part in pair] for pair in SAME_STORY_PAIRS]
    bodies = [b for b in bodies if not any(b in pair for pair in pairs)]
    long_enough = [b for b in bodies if len(b[2].split()) >= 150]
    originals, negatives = long_enough[:110], long_enough[110:150]
    related = [_title_of(body) for _, _, body in bodies]

    templates = {site: site_template(site, rng, related) for site in SITES}
    templates["heavy"] = heavy_template()
    records: list[dict] = []

    def add(kind, url, fetched_at, title, text, template, expect, original=None):
        records.append({"kind": kind, "expect": expect, "original": original, "url": url,
                        "fetched_at": fetched_at, "title": title, "text": text, "template": template})
        return len(records) - 1

    for number, (key, url, body) in enumerate(originals):
        published = START + timedelta(minutes=37 * number)
        home = SITES[number % len(SITES)]
        title = _title_of(body)
        first = add("original", url, published, title, body, home, "unique")
        others = [s for s in SITES if s != home]

        def elsewhere(slug: str) -> tuple[str, str]:
            site = rng.choice(others)
            return f"https://{site}/{published:%Y/%m/%d}/{slug}-{key[:8]}", site

        later = lambda: published + timedelta(minutes=rng.randint(5, 60 * 24 * 10))  # noqa: E731
        syn_url, syn_site = elsewhere("wire")
        add("syndicated", syn_url, later(), title, body, syn_site, "duplicate", first)
        spun_url, spun_site = elsewhere("story")
        add("spun", spun_url, later(), spin_title(title, rng, spun_site), spin(body, rng), spun_site,
            "duplicate", first)
        if number % 2 == 0:
            cut_url, cut_site = elsewhere("brief")
            add("truncated", cut_url, later(), title, truncate(body, rng), cut_site, "duplicate", first)
        else:
            ed_url, ed_site = elsewhere("updated")
            add("edited", ed_url, later(), title, edit(body, rng), ed_site, "duplicate", first)
        if number % 3 == 0:
            add("recrawl", url, later(), title, edit(body, rng), home, "duplicate", first)
        elif number % 3 == 1:
            add("url_variant", url_variant(url, rng), later(), title, body, home, "duplicate", first)

    # The real spun pair and the same-story articles (seeds).
    moment = START + timedelta(days=3, minutes=11)
    title, body = seed_article("000")
    first = add("original", "https://kazpost.example/news/ukraine-troops-border", moment, title, body,
                "heavy", "unique")
    title, body = seed_article("001")
    add("spun_real", "https://henrys-club.example/ukrainian-military-report", moment + timedelta(hours=7),
        title, body, None, "duplicate", first)
    for offset, name in enumerate(("002", "003", "004")):
        title, body = seed_article(name)
        add("same_story", f"https://{SITES[offset]}/world/russia-ukraine-{name}", moment + timedelta(hours=2 + offset),
            title, body, SITES[offset], "unique")

    for number, pair in enumerate(pairs):
        for offset, (key, url, body) in enumerate(pair):
            add("same_story", url, START + timedelta(days=4, hours=number, minutes=17 * offset), _title_of(body),
                body, SITES[(number + offset) % len(SITES)], "unique")

    # Different articles under one heavy template, on one host.
    for number, (key, _, body) in enumerate(negatives):
        add("template", f"https://kazpost.example/news/{key[:12]}",
            START + timedelta(days=1, minutes=53 * number), _title_of(body), body, "heavy", "unique")

    # Short formulaic briefs, some reposted word for word.
    for number in range(40):
        title, body = short_brief(rng)
        moment = START + timedelta(days=2, minutes=29 * number)
        first = add("short", f"https://{SITES[number % len(SITES)]}/local/brief-{number}", moment, title, body,
                    None, "unique")
        if number % 4 == 0:
            add("short_copy", f"https://{SITES[(number + 3) % len(SITES)]}/wire/brief-{number}",
                moment + timedelta(hours=5), title, body, None, "duplicate", first)

    return _in_fetch_order(records), templates


def _in_fetch_order(records: list[dict]) -> list[dict]:
    order = sorted(range(len(records)), key=lambda i: (records[i]["fetched_at"], i))
    position = {old: new for new, old in enumerate(order)}
    stream = []
    for new, old in enumerate(order):
        record = dict(records[old], seq=new, fetched_at=records[old]["fetched_at"].isoformat().replace("+00:00", "Z"))
        if record["original"] is not None:
            record["original"] = position[record["original"]]
            assert record["original"] < new, "an original is fetched before its copies"
        stream.append(record)
    return stream


def _paragraphs(body: str) -> str:
    return "\n\n".join(line.strip() for line in body.splitlines() if line.strip())


def _title_of(body: str) -> str:
    words = body.split()[:12]
    return " ".join(words).rstrip(".,;:") if words else ""


def main() -> None:
    records, templates = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(OUT, "wb", mtime=0) as handle:
        for record in records:
            handle.write(orjson.dumps(record) + b"\n")
    TEMPLATES_OUT.write_text(json.dumps(templates, indent=1, ensure_ascii=False) + "\n")
    kinds: dict[str, int] = {}
    for record in records:
        kinds[record["kind"]] = kinds.get(record["kind"], 0) + 1
    print(f"{len(records)} pages -> {OUT.relative_to(HERE.parent)}: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))


if __name__ == "__main__":
    main()
