"""The starter taxonomy for educators, as data, and words too common to suggest as topics.

``plnctl topic init`` installs these topics (skipping names you already have); afterwards they
are ordinary topics: edit, rename or remove them. Keywords are whole words or phrases (plurals
are listed where they matter); hashtags are written without '#'.
"""

from __future__ import annotations

from typing import TypedDict


class StarterTopic(TypedDict, total=False):
    name: str
    description: str
    keywords: list[str]
    hashtags: list[str]
    categories: list[str]
    excludes: list[str]


STARTER_TAXONOMY: tuple[StarterTopic, ...] = (
    {
        "name": "social learning",
        "description": "Learning with and from others: communities, networks, peers.",
        "keywords": [
            "social learning",
            "community of practice",
            "communities of practice",
            "peer learning",
            "connected learning",
            "collaborative learning",
            "connectivism",
            "learning community",
            "learning communities",
        ],
        "hashtags": ["sociallearning", "connectedlearning", "connectivism"],
    },
    {
        "name": "digital literacy",
        "description": "Digital, media and information literacies; digital citizenship.",
        "keywords": [
            "digital literacy",
            "digital literacies",
            "media literacy",
            "information literacy",
            "digital citizenship",
            "digital skills",
            "misinformation",
            "disinformation",
            "fake news",
            "fact checking",
        ],
        "hashtags": ["digitalliteracy", "medialiteracy", "digcit", "infolit"],
    },
    {
        "name": "assessment & online testing",
        "description": "Formative and summative assessment, feedback, grading, online exams.",
        "keywords": [
            "assessment",
            "assessments",
            "formative assessment",
            "summative assessment",
            "assessment for learning",
            "online testing",
            "online test",
            "online tests",
            "online exam",
            "online exams",
            "e-assessment",
            "rubric",
            "rubrics",
            "grading",
            "proctoring",
            "evaluation",
            "feedback literacy",
        ],
        "hashtags": ["assessment", "formativeassessment", "afl", "assessmentforlearning"],
        "excludes": ["risk assessment"],
    },
    {
        "name": "computational thinking",
        "description": "Coding, algorithms and computer science in school.",
        "keywords": [
            "computational thinking",
            "coding",
            "programming",
            "algorithm",
            "algorithms",
            "computer science",
            "block-based programming",
            "scratch programming",
            "python programming",
            "debugging",
        ],
        "hashtags": ["computationalthinking", "csforall", "cs4all", "hourofcode", "csed"],
    },
    {
        "name": "data & privacy",
        "description": "Student data, privacy, data protection and surveillance.",
        "keywords": [
            "privacy",
            "data protection",
            "gdpr",
            "ferpa",
            "student data",
            "data privacy",
            "surveillance",
            "data ethics",
            "consent",
            "personal data",
        ],
        "hashtags": ["privacy", "dataprivacy", "gdpr", "studentprivacy"],
    },
    {
        "name": "literacy & picture books",
        "description": "Reading, writing, children's literature and picture books.",
        "keywords": [
            "picture book",
            "picture books",
            "read aloud",
            "reading aloud",
            "children's literature",
            "children's books",
            "phonics",
            "early literacy",
            "reading for pleasure",
            "storytelling",
            "literacy",
        ],
        "hashtags": [
            "picturebooks",
            "kidlit",
            "readaloud",
            "literacy",
            "readingforpleasure",
            "edubookchat",
        ],
        "excludes": ["digital literacy", "media literacy", "data literacy"],
    },
    {
        "name": "STEM & micro:bit",
        "description": "Science, technology, engineering and maths; physical computing.",
        "keywords": [
            "micro:bit",
            "microbit",
            "stem",
            "steam",
            "physical computing",
            "robotics",
            "makerspace",
            "maker education",
            "arduino",
            "raspberry pi",
            "science education",
            "engineering",
        ],
        "hashtags": ["microbit", "stem", "steam", "makered", "raspberrypi", "scichat"],
    },
    {
        "name": "edtech tools",
        "description": "Tools and platforms for teaching and learning.",
        "keywords": [
            "edtech",
            "ed tech",
            "educational technology",
            "learning platform",
            "lms",
            "learning management system",
            "moodle",
            "google classroom",
            "padlet",
            "kahoot",
            "chromebook",
            "chromebooks",
            "ipad",
            "ipads",
            "interactive whiteboard",
        ],
        "hashtags": ["edtech", "edtechchat", "moodle", "googleedu"],
    },
    {
        "name": "professional learning",
        "description": "Teachers' own learning: CPD, coaching, networks like this one.",
        "keywords": [
            "professional learning",
            "professional development",
            "cpd",
            "teacher education",
            "teacher training",
            "instructional coaching",
            "personal learning network",
            "professional learning network",
            "pln",
            "teachmeet",
            "unconference",
            "edcamp",
            "reflective practice",
        ],
        "hashtags": ["pln", "cpd", "edcamp", "teachmeet", "profdev", "pd"],
    },
    {
        "name": "learning analytics",
        "description": "Data about learners and learning: dashboards, analytics, xAPI.",
        "keywords": [
            "learning analytics",
            "educational data mining",
            "learning data",
            "learner data",
            "xapi",
            "learning dashboard",
            "learning dashboards",
            "predictive analytics",
            "learning record store",
        ],
        "hashtags": ["learninganalytics", "lak", "edm"],
    },
    {
        "name": "AI in education",
        "description": "Generative AI, chatbots and AI literacy in teaching and assessment.",
        "keywords": [
            "artificial intelligence",
            "generative ai",
            "genai",
            "chatgpt",
            "large language model",
            "large language models",
            "llm",
            "llms",
            "ai literacy",
            "ai in education",
            "chatbot",
            "chatbots",
        ],
        "hashtags": ["aied", "aiineducation", "genai", "chatgpt", "ailiteracy"],
    },
    {
        "name": "open education",
        "description": "Open educational resources, open pedagogy, open licences.",
        "keywords": [
            "open educational resources",
            "oer",
            "open education",
            "open pedagogy",
            "creative commons",
            "open textbook",
            "open textbooks",
            "open access",
        ],
        "hashtags": ["oer", "openeducation", "opened", "openpedagogy"],
    },
    {
        "name": "maths education",
        "description": "Teaching mathematics; the #MTBoS community.",
        "keywords": [
            "maths teaching",
            "math teaching",
            "mathematics education",
            "maths education",
            "math education",
            "numeracy",
            "math class",
            "maths lesson",
            "math lesson",
        ],
        "hashtags": ["mtbos", "iteachmath", "mathchat", "mathsed", "mathed"],
    },
    {
        "name": "social studies",
        "description": "History, civics and social studies teaching; #sschat.",
        "keywords": [
            "social studies",
            "civics",
            "history teaching",
            "teaching history",
            "civic education",
        ],
        "hashtags": ["sschat", "historyteacher", "civics", "teachinghistory"],
    },
    {
        "name": "education chat",
        "description": "The community chats educators use: #edchat, #ukedchat, #edutooters.",
        "hashtags": [
            "edchat",
            "ukedchat",
            "edutooters",
            "edutooter",
            "teachers",
            "education",
            "aussieed",
            "nzedchat",
            "edchatie",
        ],
    },
)


# Frequent words that never make a topic on their own (topic suggestions skip them).
_STOPWORDS_TEXT = """
a about above after again against all also am an and any are aren as at be because been
before being below between both but by can cannot could did didn do does doesn doing don down
during each even ever every few first for from further get gets getting go goes going got had
has hasn have haven having he her here hers herself him himself his how however i if in into
is isn it its itself just know last let like ll made make makes many may me might more most
much must my myself need new next no nor not now of off often on once one only or other our
ours ourselves out over own per put re really s same say says see she should shouldn so some
still such t take than that the their theirs them themselves then there these they thing
things think this those though through time to too two under until up us use used using ve
very via want was wasn way we week well were weren what when where which while who whom why
will with within without would year years yet you your yours yourself yourselves
also back day days great good lot lots part people post posts read today work year
http https www com org net html amp nbsp
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
