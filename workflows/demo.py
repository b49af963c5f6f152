"""Demo data: the Heyuan / Zijin / Yirong organisations, their people, the Tan clan
association of Malaysia with the ancestral-grave case (seed 000), and cases at other stages.

Idempotent: every record is looked up by its natural key first, and a case's history is
played through the services only when the case is created.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from cases.calendar import organisation_today
from cases.models import (
    Association,
    Case,
    Consent,
    Membership,
    Organisation,
    Party,
    Person,
    Role,
    User,
)
from cases.services import PartyInput, record_consent

from . import services as workflow_services
from . import stages
from .selectors import open_tasks_of
from .stages import DEMO_PASSWORD

Kind = Organisation.Kind
Level = Organisation.Level
CITY = "河源市归国华侨联合会"
COUNTY = "紫金县归国华侨联合会"
YIRONG = "紫金县义容镇侨胞之家"

# name, kind, level, parent, document-number prefix, English name, phone
ORGANISATIONS = [
    (
        "广东省归国华侨联合会",
        Kind.FEDERATION,
        Level.PROVINCE,
        None,
        "粤侨维",
        "Guangdong Federation of Returned Overseas Chinese",
        "020-83000000",
    ),
    (
        CITY,
        Kind.FEDERATION,
        Level.CITY,
        "广东省归国华侨联合会",
        "河侨维",
        "Heyuan Federation of Returned Overseas Chinese",
        "0762-3388000",
    ),
    (
        COUNTY,
        Kind.FEDERATION,
        Level.COUNTY,
        CITY,
        "紫侨维",
        "Zijin County Federation of Returned Overseas Chinese",
        "0762-7322000",
    ),
    (
        YIRONG,
        Kind.SERVICE_POINT,
        Level.TOWNSHIP,
        COUNTY,
        "义侨维",
        "Overseas Chinese Home of Yirong Township",
        "0762-7800100",
    ),
    (
        "中共紫金县委统战部",
        Kind.DEPARTMENT,
        Level.COUNTY,
        None,
        "",
        "United Front Work Department of Zijin County",
        "0762-7321000",
    ),
    ("紫金县司法局", Kind.DEPARTMENT, Level.COUNTY, None, "", "Zijin County Justice Bureau", ""),
    (
        "紫金县住房和城乡建设局",
        Kind.DEPARTMENT,
        Level.COUNTY,
        None,
        "",
        "Zijin County Housing and Urban-Rural Development Bureau",
        "",
    ),
    (
        "紫金县自然资源局",
        Kind.DEPARTMENT,
        Level.COUNTY,
        None,
        "",
        "Zijin County Natural Resources Bureau",
        "",
    ),
    (
        "紫金县信访局",
        Kind.DEPARTMENT,
        Level.COUNTY,
        None,
        "",
        "Zijin County Petitions Bureau",
        "0762-7323000",
    ),
    (
        "紫金县义容镇人民政府",
        Kind.DEPARTMENT,
        Level.TOWNSHIP,
        None,
        "",
        "People's Government of Yirong Township",
        "",
    ),
    (
        "紫金县人民调解委员会",
        Kind.MEDIATION_COMMITTEE,
        Level.COUNTY,
        None,
        "",
        "Zijin County People's Mediation Committee",
        "",
    ),
    (
        "河源市中级人民法院",
        Kind.COURT,
        Level.CITY,
        None,
        "",
        "Heyuan Intermediate People's Court",
        "",
    ),
    ("河源市律师协会", Kind.BAR_ASSOCIATION, Level.CITY, None, "", "Heyuan Bar Association", ""),
]

# username, display name (the screens' label), surname and given name (what documents
# print), organisation, role
USERS = [
    ("admin", "系统管理员", ("", ""), CITY, Role.ADMINISTRATOR),
    ("officer", "刘晓梅（义容镇侨胞之家）", ("刘", "晓梅"), YIRONG, Role.CASE_OFFICER),
    ("yirong_head", "谢国强（义容镇侨胞之家负责人）", ("谢", "国强"), YIRONG, Role.SUPERVISOR),
    ("city_officer", "陈志远（市侨联权益部）", ("陈", "志远"), CITY, Role.CASE_OFFICER),
    ("supervisor", "黄建国（市侨联副主席）", ("黄", "建国"), CITY, Role.SUPERVISOR),
    ("adviser", "李明律师（法顾委委员）", ("李", "明"), CITY, Role.LEGAL_ADVISER),
    ("adviser2", "张慧（法顾委委员，市司法局）", ("张", "慧"), CITY, Role.LEGAL_ADVISER),
    ("adviser3", "王立新（法顾委委员，市中级法院）", ("王", "立新"), CITY, Role.LEGAL_ADVISER),
    ("adviser4", "何文静（法顾委委员，市律师协会）", ("何", "文静"), CITY, Role.LEGAL_ADVISER),
    ("mediator", "周淑芬（人民调解员）", ("周", "淑芬"), "紫金县人民调解委员会", Role.MEDIATOR),
    ("liaison", "钟伟（县自然资源局）", ("钟", "伟"), "紫金县自然资源局", Role.DEPARTMENT_LIAISON),
]

PEOPLE = [
    # Chinese name, Latin name, identity, nationality, residence, time zone, language, phone
    (
        "谭永康",
        "Tham Weng Hong",
        "foreign_chinese",
        "MY",
        "MY",
        "Asia/Kuala_Lumpur",
        "zh-hans",
        "+60 12-345 6789",
    ),
    (
        "谭丽珍",
        "Tham Lai Chin",
        "foreign_chinese",
        "MY",
        "MY",
        "Asia/Kuala_Lumpur",
        "en",
        "+60 16-222 3344",
    ),
    ("谭伯华", "", "other", "CN", "CN", "Asia/Shanghai", "zh-hans", "0762-7000001"),
    (
        "黄美玲",
        "Wong Mei Ling",
        "huaqiao",
        "CN",
        "CA",
        "America/Vancouver",
        "zh-hans",
        "+1 604 555 0182",
    ),
    (
        "陈国雄",
        "Chan Kwok Hung",
        "hk_macao_taiwan",
        "CN",
        "HK",
        "Asia/Hong_Kong",
        "zh-hant",
        "+852 9123 4567",
    ),
    (
        "李文辉",
        "Lie Bun Hui",
        "foreign_chinese",
        "ID",
        "ID",
        "Asia/Jakarta",
        "id",
        "+62 812 3456 7890",
    ),
    ("曾秀英", "", "guiqiao", "CN", "CN", "Asia/Shanghai", "zh-hans", "0762-3300123"),
    ("林建华", "Lim Kian Hwa", "huaqiao", "CN", "SG", "Asia/Singapore", "zh-hans", "+65 9123 4567"),
    (
        "邓家豪",
        "Tang Ka Ho",
        "foreign_chinese",
        "GB",
        "GB",
        "Europe/London",
        "en",
        "+44 7700 900123",
    ),
    ("吴美华", "", "qiaojuan", "CN", "CN", "Asia/Shanghai", "zh-hans", "0762-8800456"),
    (
        "刘振邦",
        "Lau Chun Pong",
        "foreign_chinese",
        "US",
        "US",
        "America/Los_Angeles",
        "en",
        "+1 213 555 0147",
    ),
    (
        "钟惠芳",
        "Chung Wai Fong",
        "student_abroad",
        "CN",
        "AU",
        "Australia/Sydney",
        "zh-hans",
        "+61 412 345 678",
    ),
    ("黄启明", "", "other", "CN", "CN", "Asia/Shanghai", "zh-hans", "0762-2211987"),
    # The parties of the cases waiting at the agreement's steps.
    (
        "陈美珠",
        "Tan Bee Choo",
        "foreign_chinese",
        "MY",
        "MY",
        "Asia/Kuala_Lumpur",
        "zh-hans",
        "+60 12-888 1020",
    ),
    (
        "罗志坚",
        "Loh Chee Kian",
        "huaqiao",
        "CN",
        "SG",
        "Asia/Singapore",
        "zh-hans",
        "+65 9876 5432",
    ),
    (
        "古月娥",
        "Koo Yuet Ngor",
        "hk_macao_taiwan",
        "CN",
        "HK",
        "Asia/Hong_Kong",
        "zh-hant",
        "+852 9876 1234",
    ),
    (
        "曾宪明",
        "Chan Hin Ming",
        "foreign_chinese",
        "TH",
        "TH",
        "Asia/Bangkok",
        "zh-hans",
        "+66 81 234 5678",
    ),
    ("温振华", "", "other", "CN", "CN", "Asia/Shanghai", "zh-hans", "0762-7000002"),
    ("刘德胜", "", "other", "CN", "CN", "Asia/Shanghai", "zh-hans", "0762-6600321"),
    ("叶桂兰", "", "qiaojuan", "CN", "CN", "Asia/Shanghai", "zh-hans", "0762-3300456"),
]

# The people who gave an e-mail address: the claimant in Vancouver wrote in by e-mail and
# asked to be answered that way; the association's representatives and the claimants
# abroad of the agreement cases confirm their agreements with a code sent there.
EMAILS = {
    "黄美玲": "wong.meiling@example.ca",
    "谭永康": "tham.wenghong@tham-clan.example",
    "谭丽珍": "tham.laichin@tham-clan.example",
    "陈美珠": "tan.beechoo@example.my",
    "罗志坚": "loh.cheekian@example.sg",
    "古月娥": "koo.yuetngor@example.hk",
    "曾宪明": "chan.hinming@example.th",
}

TAN_ASSOCIATION = "马来西亚谭氏宗亲会"
PETITIONS = "紫金县信访局"


CITY_OFFICER, SUPERVISOR = "city_officer", "supervisor"
SCREEN = ("screen", CITY_OFFICER, {"notes": "事实基本清楚，属本会维权工作范围，建议受理。"})
ACCEPT = ("decide", SUPERVISOR, {"decision": "accept", "reason": "", "refer_to": None})


def opinion(route: str, **fields) -> dict:
    """An adviser's (or the committee's) opinion as the review screen sends it."""
    return {
        "facts": "经查阅来函及附件材料，当事人反映的基本事实清楚。",
        "issues": "当事人诉求是否有法律和政策依据；应由哪一部门依职权处理。",
        "analysis": "建议在查明事实的基础上，依法依规引导双方协商解决。",
        "route": route,
        "risk": "low",
        "questions": "",
        **fields,
    }


def to_review(lead: str, *members: str, notes: str = "提请法顾委审查。") -> tuple[str, str, dict]:
    """The officer seats the reviewers (usernames); each is due on the default day."""
    return (
        "send_to_review",
        CITY_OFFICER,
        {"lead": lead, "members": list(members), "notes": notes},
    )


def reviewed(route: str, adviser: str = "adviser3") -> list[tuple[str, str, dict]]:
    """A review by one adviser through to the signed 法律意见书 recommending ``route``."""
    return [
        to_review(adviser),
        ("declare", adviser, {}),
        ("review", adviser, opinion(route)),
        ("consolidate", adviser, opinion(route)),
    ]


def route(to: str) -> tuple[str, str, dict]:
    return ("route", CITY_OFFICER, {"route": to, "notes": ""})


def mediated(outcome: dict) -> list[tuple[str, str, dict]]:
    """The city officer assigns the county mediator, who declares no conflict and records
    how mediation ended (the sessions are not part of these demo cases)."""
    return [
        ("assign_mediator", CITY_OFFICER, {"mediator": "mediator"}),
        ("declare_mediator", "mediator", {"has_conflict": "no", "conflict": ""}),
        ("mediate", "mediator", {"reason": "", "terms": "", "route_forward": "", **outcome}),
    ]


def summary(task: str, text: str) -> tuple[str, str, dict]:
    return (task, CITY_OFFICER, {"summary": text})


@dataclass
class DemoCase:
    title: str
    category: str
    channel: str
    days_ago: int
    organisation: str
    officer: str
    summary: str
    claims: str
    location: str
    claimants: list[str]
    respondents: list[str] = field(default_factory=list)
    association: str = ""
    risk: str = Case.Risk.LOW
    # Claimants who asked at intake to be sent their notices by e-mail: their consents to
    # it (电子送达) and to documents going abroad are recorded with the registration.
    by_email: list[str] = field(default_factory=list)
    # (task of the dispute flow, username, form data) completed in order after intake
    steps: list[tuple[str, str, dict]] = field(default_factory=list)


# The Zijin coordination meeting: seven bodies invited; one reply handed to a colleague,
# one body excused; held twelve days ago; four action items, two done, one in progress and
# one overdue (the demo's last step, the clocks' sweep, finds it run out).
ZIJIN_MEETING = [
    ("route", "officer", {"route": "both", "notes": "依法顾委意见，先协调，再调解。"}),
    (
        "convene",
        "officer",
        {
            "title": "谭氏祖坟纠纷多部门协调会",
            "agenda": "果园扩建占用墓地周边土地及通行问题\n祖坟修缮的审批主体和规模\n"
            "各部门职责分工及后续调解安排",
            "day": 3,
            "time": "09:30",
            "duration_minutes": 150,
            "place": "紫金县侨联三楼会议室",
            "departments": [
                "中共紫金县委统战部",
                COUNTY,
                "紫金县司法局",
                "紫金县住房和城乡建设局",
                "紫金县自然资源局",
                "紫金县信访局",
                "紫金县义容镇人民政府",
            ],
            "guests": ["adviser"],
        },
    ),
    ("reply", "tongzhan", {"answer": "confirm", "attendees": "林海 统战部副部长"}),
    ("reply", "county_head", {"answer": "confirm", "attendees": "古丽 县侨联主席"}),
    (
        "reply",
        "justice",
        {
            "answer": "confirm",
            "attendees": "罗敏 司法局副局长",
            "position": "建议协调会后由县人民调解委员会组织线上调解，调解协议申请司法确认。",
        },
    ),
    ("delegate_reply", "housing", {"to": "housing2"}),
    ("reply", "housing2", {"answer": "confirm", "attendees": "曾凡 村镇建设股股长"}),
    ("reply", "liaison", {"answer": "confirm", "attendees": "钟伟 自然资源局副局长"}),
    (
        "reply",
        "petitions",
        {
            "answer": "decline",
            "reason": "当日有集中接访任务，请假；书面意见另附。",
            "position": "宗亲会来信已登记，请协调会明确答复口径后由信访局统一书面答复。",
        },
    ),
    ("reply", "township", {"answer": "confirm", "attendees": "温志华 义容镇副镇长"}),
    ("meeting_held", "officer", {"days_ago": 12}),
    (
        "minutes",
        "officer",
        {
            "attended": "林海，中共紫金县委统战部，副部长\n古丽，紫金县侨联，主席\n"
            "罗敏，紫金县司法局，副局长\n曾凡，紫金县住房和城乡建设局，股长\n"
            "钟伟，紫金县自然资源局，副局长\n温志华，紫金县义容镇人民政府，副镇长\n"
            "刘晓梅，紫金县义容镇侨胞之家，承办人",
            "non_voting": "李明，河源市侨联法律顾问委员会，律师",
            "excused": "曾静，紫金县信访局",
            "agenda_minutes": [
                (
                    "自然资源局介绍了墓地所在山地的权属情况，镇政府介绍了谭伯华扩建果园的经过。"
                    "与会各方认为，果园扩建占用墓地周边土地、妨碍祭扫通行。",
                    "由县自然资源局核实墓地周边土地权属及占用范围；"
                    "由义容镇人民政府督促谭伯华恢复祭扫通道。",
                ),
                (
                    "住建局、镇政府就祖坟修缮的审批程序作了说明。",
                    "祖坟修缮由宗亲会向义容镇人民政府提出申请，保持原有规模，不得扩大占地。",
                ),
                (
                    "司法局介绍了线上调解和司法确认的程序，法顾委委员李明律师作了法律说明。",
                    "协调事项落实后，由县人民调解委员会组织双方线上调解；"
                    "信访局根据本纪要统一书面答复宗亲会。",
                ),
            ],
            "actions": [
                ("紫金县自然资源局", "核实墓地周边土地权属及占用范围，出具书面意见", 5, "officer"),
                ("紫金县义容镇人民政府", "督促谭伯华恢复祭扫通道", 10, "officer"),
                ("紫金县司法局", "会同县人民调解委员会做好线上调解准备", 10, "officer"),
                ("紫金县信访局", "根据本纪要书面答复宗亲会", 15, "officer"),
            ],
        },
    ),
    ("days_pass", "officer", {"days": 9}),
    ("act", "township", {"text": "已约谈谭伯华，祭扫通道已恢复，附现场照片。"}),
    ("act", "justice", {"text": "已与县人民调解委员会商定调解员和线上调解安排。"}),
    ("progress", "petitions", {"text": "答复稿已起草，待协调事项落实后发出。"}),
]

# After the meeting: the natural resources bureau's opinion runs out and is escalated to its
# head; the supervisor lets the case go on to mediation without it (and without the
# petitions bureau's written reply, still in progress); the county mediator declares no
# conflict; the association's two representatives consent in writing to online mediation,
# to e-mail and to documents going to Malaysia; round one online a week ago, its 调解笔录
# issued; round two set in Kuala Lumpur time.
REPRESENTATIVES = ["谭永康", "谭丽珍"]
ZIJIN_MEDIATION = [
    # The day's sweep finds the natural resources bureau's item run out and escalates it.
    ("day_ends", "officer", {}),
    (
        "go_on",
        "yirong_head",
        {"reason": "县自然资源局书面意见逾期未交，为不误祭扫，先行组织调解；意见交来后补入卷宗。"},
    ),
    ("check_actions", "officer", {"accept_all": True}),
    ("assign_mediator", "officer", {"mediator": "mediator"}),
    ("declare_mediator", "mediator", {"has_conflict": "no", "conflict": ""}),
    (
        "consent",
        "officer",
        {
            "parties": [*REPRESENTATIVES, "谭伯华"],
            "purposes": ["online_mediation", "electronic_service", "cross_border"],
            "note": "当事人签署《在线调解及个人信息出境同意书》，原件存卷。",
        },
    ),
    (
        "schedule_session",
        "mediator",
        {
            "mode": "online",
            "days_ahead": 1,
            "time": "15:00",
            "zone": "Asia/Shanghai",
            "video_link": "https://meeting.example.cn/j/zijin-1",
            "parties": [*REPRESENTATIVES, "谭伯华"],
        },
    ),
    ("session_held", "mediator", {"days_ago": 8}),
    (
        "write_record",
        "mediator",
        {
            "statements": "谭永康代表宗亲会陈述：祖坟为谭氏先人墓地，宗亲每年清明回乡祭扫，"
            "果园扩建后通道被堵，墓地周边土地被占。\n谭伯华陈述：果园系承包山地，扩建时不知"
            "占及墓地周边，愿意让出祭扫通道。",
            "summary": "双方同意保留祭扫通道；退让范围待县自然资源局核实后再议。",
            "proposals": [
                (
                    "proposal",
                    "",
                    "谭伯华退让墓地周边两米范围，恢复祭扫通道；宗亲会按原规模修缮祖坟。",
                    None,
                ),
                ("counter", "谭永康", "退让范围以1998年确权图为准，并由镇政府见证。", 0),
                ("accepted", "谭伯华", "同意恢复祭扫通道；退让范围待核实后再谈。", 0),
            ],
        },
    ),
    (
        "schedule_session",
        "mediator",
        {
            "mode": "online",
            "days_ahead": 6,
            "time": "19:00",
            "zone": "Asia/Kuala_Lumpur",
            "duration_minutes": 90,
            "video_link": "https://meeting.example.cn/j/zijin-2",
            "parties": [*REPRESENTATIVES, "谭伯华"],
        },
    ),
]

# Round two: set six days ahead, held two days ago. The two terms the mediator proposed
# are accepted by both sides and drafted into the written agreement; the association's
# representatives confirm it through their links (谭丽珍, who reads English, has a word of
# term two's English changed first: a new version, 谭永康's confirmation of the first
# void), 谭伯华 signs a paper copy, the mediator signs last. Then the application for
# judicial confirmation, both terms performed, the follow-up (a visit, and 谭永康 through
# his link), the identity papers filed, the closure and the whole case file.
ZIJIN_TERMS = [
    {
        "obligor": "谭伯华",
        "method": "本人自行移除、清理，义容镇人民政府现场见证",
        "due_in": 10,
        "text_en": "Tham Pak Wah removes the fruit trees within two metres of the graves and "
        "keeps the path to them open; the land given back follows the 1998 title map, "
        "witnessed by the Yirong township government.",
        "method_en": "By himself on site, witnessed by the township government",
    },
    {
        "obligor": TAN_ASSOCIATION,
        "method": "向义容镇人民政府提交书面申请，经批准后施工",
        "due_in": 30,
        "text_en": "The association applies to the Yirong township government to repair the "
        "graves, and repairs them at their present size, taking no more land.",
        "method_en": "A written application to the township government; work once approved",
    },
]
ZIJIN_DRAFT = {
    "facts": "马来西亚谭氏宗亲会的祖坟位于紫金县义容镇某村集体山地，建于清代。2022年起村民"
    "谭伯华扩建果园，占用墓地周边土地约二百平方米，祭扫通道被堵。经县自然资源局、义容镇"
    "人民政府核实，并经两轮线上调解，双方查明上述事实。",
    "disputes": "一、果园扩建占用墓地周边土地的退让范围；\n二、祭扫通道的恢复；\n"
    "三、祖坟修缮的审批和规模。",
    "responsibilities": "谭伯华扩建果园未避让墓地，应退让墓地周边土地并恢复祭扫通道；"
    "宗亲会修缮祖坟应依法报批，保持原有规模。",
    "facts_en": "The ancestral graves of the Tham Clan Association of Malaysia lie on "
    "collective hill land of a village in Yirong township, Zijin county, and date from the "
    "Qing dynasty. From 2022 the villager Tham Pak Wah extended his orchard over about 200 "
    "square metres around the graves and blocked the path to them. The county natural "
    "resources bureau and the township government verified this, and two rounds of online "
    "mediation established it.",
    "disputes_en": "1. How much land around the graves the orchard gives back;\n"
    "2. Reopening the path to the graves;\n3. Approval and size of the repairs.",
    "responsibilities_en": "Tham Pak Wah extended his orchard without sparing the graves: he "
    "gives back the land around them and reopens the path. The association has the repairs "
    "approved and keeps the graves at their present size.",
    "terms": ZIJIN_TERMS,
}
ZIJIN_AGREEMENT = [
    ("session_held", "mediator", {"days_ago": 8}),
    (
        "write_record",
        "mediator",
        {
            "statements": "县自然资源局书面意见已送达：墓地周边两米范围属原墓地用地。\n"
            "谭永康代表宗亲会表示，退让两米、恢复通道即可，修缮按原规模报批。\n"
            "谭伯华表示同意移除两米范围内的果树，恢复祭扫通道。",
            "summary": "双方就退让范围、祭扫通道和祖坟修缮达成一致，同意签订书面调解协议。",
            "proposals": [
                (
                    "proposal",
                    "",
                    "谭伯华移除墓地周边两米范围内的果树，恢复并保持祭扫通道畅通；退让范围以"
                    "1998年确权图为准，由义容镇人民政府见证。",
                    None,
                ),
                ("accepted", "谭永康", "同意。", 0),
                ("accepted", "谭伯华", "同意，十日内移除。", 0),
                (
                    "proposal",
                    "",
                    "宗亲会向义容镇人民政府申请修缮祖坟，按原有规模修缮，不扩大占地。",
                    None,
                ),
                ("accepted", "谭永康", "同意，回马来西亚后即办理申请。", 3),
                ("accepted", "谭伯华", "没有意见。", 3),
            ],
        },
    ),
    (
        "mediate",
        "mediator",
        {
            "kind": "written",
            "reason": "经两轮线上调解，双方就退让范围、祭扫通道和祖坟修缮达成一致，"
            "同意签订书面调解协议。",
        },
    ),
    ("draft_agreement", "mediator", ZIJIN_DRAFT),
    ("send_agreement", "mediator", {}),
    ("confirm_by_link", "officer", {"party": "谭永康"}),
    # 谭丽珍 asks for "present size" to read "original size", as the 1984 notice has it.
    (
        "draft_agreement",
        "mediator",
        {
            **ZIJIN_DRAFT,
            "terms": [
                ZIJIN_TERMS[0],
                {
                    **ZIJIN_TERMS[1],
                    "text_en": "The association applies to the Yirong township government to "
                    "repair the graves, and repairs them at their original size, taking no "
                    "more land.",
                },
            ],
        },
    ),
    ("confirm_by_link", "officer", {"party": "谭丽珍"}),
    # 谭永康 confirms version 2 as well: each representative is on the effective copy.
    ("confirm_by_link", "officer", {"party": "谭永康"}),
    ("file_paper_copy", "officer", {"party": "谭伯华"}),
    ("sign_agreement", "mediator", {"sign": True}),
    ("apply_judicial", "officer", {"court": "紫金县人民法院"}),
    (
        "perform_term",
        "officer",
        {
            "term": 1,
            "note": "果树已移除，祭扫通道已恢复，镇政府见证。",
            "proof": "履行凭证：祭扫通道恢复现场照片",
            "lines": [
                "地点：紫金县义容镇谭氏祖坟墓地",
                "谭伯华已移除墓地周边两米范围内果树十二株，祭扫通道宽约一点五米，已恢复畅通。",
                "见证人：温志华（义容镇人民政府副镇长）",
                "记录人：刘晓梅（义容镇侨胞之家）",
            ],
        },
    ),
    (
        "perform_term",
        "officer",
        {
            "term": 2,
            "note": "宗亲会的修缮申请已由镇政府受理。",
            "proof": "履行凭证：祖坟修缮申请受理回执",
            "lines": [
                "申请人：马来西亚谭氏宗亲会",
                "申请事项：按原有规模修缮谭氏祖坟，不扩大占地",
                "受理单位：紫金县义容镇人民政府",
                "经办人：温志华",
            ],
        },
    ),
    ("track_performance", "officer", {"notes": "两项条款均已履行，履行凭证已存卷。"}),
    (
        "follow_up_visit",
        "officer",
        {
            "party": "谭伯华",
            "method": "visit",
            "reason": "调解协议履行情况回访",
            "performance": "墓地周边果树已移除，祭扫通道畅通；宗亲会的修缮申请已由镇政府受理。",
            "satisfaction": 5,
            "comment": "谭伯华表示与宗亲会的关系已缓和，修缮时愿意配合。",
            "visited_on": 0,
        },
    ),
    (
        "answer_follow_up",
        "officer",
        {
            "party": "谭永康",
            "satisfaction": 5,
            "performance": "通道已恢复，修缮申请已受理。",
            "comment": "感谢各级侨联和调解员，宗亲们明年清明回乡祭扫。",
        },
    ),
    (
        "file_evidence",
        "officer",
        {
            "item": "03",
            "title": "马来西亚谭氏宗亲会注册证明及代表护照复印件",
            "lines": [
                "马来西亚谭氏宗亲会社团注册证明（复印件）",
                "代表人谭永康（Tham Weng Hong）护照复印件",
                "代表人谭丽珍（Tham Lai Chin）护照复印件",
                "被申请人谭伯华居民身份证复印件",
                "经办人核对原件：刘晓梅",
            ],
        },
    ),
    (
        "file_evidence",
        "officer",
        {
            "item": "04",
            "title": "马来西亚谭氏宗亲会授权委托书",
            "lines": [
                "委托人：马来西亚谭氏宗亲会",
                "受托人：谭永康、谭丽珍",
                "委托事项：代为参加紫金县义容镇祖坟墓地纠纷的协调、调解，签署调解协议，"
                "申请司法确认。",
            ],
        },
    ),
    ("documents_rendered", "officer", {}),
    (
        "close_approval",
        "yirong_head",
        {
            "reason": "调解协议已生效并履行完毕，已申请司法确认；回访当事人满意，"
            "卷宗材料齐全，同意结案。"
        },
    ),
    ("export_case_file", "officer", {}),
]

ZIJIN = DemoCase(
    title="马来西亚谭氏宗亲会反映紫金县义容镇祖坟墓地纠纷",
    category=Case.Category.ANCESTRAL_GRAVES,
    channel=Case.Channel.ASSOCIATION_LETTER,
    days_ago=1,
    organisation=YIRONG,
    officer="officer",
    summary=(
        "马来西亚谭氏宗亲会来函（《紫金祖坟墓地函》），反映其宗亲位于紫金县义容镇的祖坟墓地"
        "与当地村民发生纠纷，墓地周边土地被占用，祖坟安全与祭扫受到影响，请求侨联协调处理。"
    ),
    claims="保护祖坟现状，停止占用墓地周边土地；按原规模修缮祖坟；保障宗亲回乡祭扫。",
    location="广东省河源市紫金县义容镇",
    claimants=[],
    respondents=["谭伯华"],
    association=TAN_ASSOCIATION,
    risk=Case.Risk.MEDIUM,
    # The city 侨联's committee sends two advisers to the township (seed 000): one asks
    # for the land records, the officer answers, both submit, the lead signs off the
    # committee's 法律意见书 with the other's dissent; the route is the officer's to choose.
    steps=[
        ("screen", "officer", {"notes": "宗亲会来函材料齐全，属侨联维权工作范围，建议受理。"}),
        ("decide", "yirong_head", {"decision": "accept", "reason": "", "refer_to": None}),
        (
            "send_to_review",
            "officer",
            {
                "lead": "adviser",
                "members": ["adviser2"],
                "notes": "请市侨联法顾委派员到镇研判，提出专业意见。",
            },
        ),
        ("declare", "adviser", {}),
        ("declare", "adviser2", {}),
        (
            "ask",
            "adviser2",
            {"text": "请补充祖坟所在山地的权属资料，以及村委会对占用情况的书面意见。"},
        ),
        (
            "answer",
            "officer",
            {
                "answer": "已调取：该山地为村集体所有，1998年确权；村委会书面说明占用系"
                "村民谭伯华扩建果园所致，已拍照存档。"
            },
        ),
        (
            "review",
            "adviser2",
            opinion(
                "mediation",
                facts="山地属村集体所有；谭伯华扩建果园占用墓地周边约二百平方米。",
                issues="占用是否妨碍祭扫和墓地安全；\n修缮是否须经审批。",
                analysis="占用行为妨碍通行和祭扫，宜由调解委员会组织双方调解，明确退让范围。\n"
                "华侨修复祖墓应经当地政府批准，修缮前应向镇政府申请。",
                risk="medium",
                risk_notes="调解不成，宗亲会可能集体信访；应先固定占用范围的证据，及时组织调解。",
                laws=[("《中华人民共和国民法典》", "第二百九十一条")],
            ),
        ),
        (
            "review",
            "adviser",
            opinion(
                "both",
                facts="祖坟位于义容镇某村集体山地，建于清代，宗亲会持有历次修缮照片；"
                "2022年起村民谭伯华扩建果园，占用墓地周边土地约二百平方米。",
                issues="一、果园扩建是否侵害墓地及通行；\n二、祖坟修缮的审批主体和规模；\n"
                "三、由哪些部门协同处理。",
                analysis="依《民法典》相邻关系规定，不动产权利人应为相邻方通行等提供必要便利；"
                "果园扩建妨碍祭扫通行的，应予退让。\n"
                "华侨修复祖墓应经当地人民政府批准，由宗亲会向镇政府申请，并保持原有规模。\n"
                "本案涉及土地权属、殡葬管理和信访多个部门，宜先召开协调会明确各部门职责，"
                "再组织线上调解。",
                risk="medium",
                risk_notes="宗亲会在海外，调解不成可能转为集体信访或引起侨界舆论；"
                "应先固定证据，并由县侨联与宗亲会保持沟通。",
                laws=[
                    ("《中华人民共和国民法典》", "第二百八十八条"),
                    ("《中华人民共和国民法典》", "第二百九十一条"),
                    ("《关于华侨修复祖墓问题的通知》(〔84〕侨政会字42号)", "全文"),
                ],
            ),
        ),
        (
            "consolidate",
            "adviser",
            opinion(
                "both",
                facts="祖坟位于义容镇某村集体山地，建于清代；2022年起村民谭伯华扩建果园，"
                "占用墓地周边土地约二百平方米，妨碍通行和祭扫。",
                issues="一、果园扩建是否侵害墓地及通行；\n二、祖坟修缮的审批主体和规模；\n"
                "三、由哪些部门协同处理。",
                analysis="依《民法典》第二百八十八条、第二百九十一条，谭伯华应为祭扫通行提供"
                "必要便利；果园扩建占用墓地周边、妨碍通行和祭扫的部分，应予退让。\n"
                "依《关于华侨修复祖墓问题的通知》，华侨修复祖墓须经当地人民政府批准，审批"
                "主体为祖墓所在地的人民政府；宗亲会应向义容镇人民政府提出申请，修缮应保持"
                "原有规模，不得扩大占地。\n"
                "建议先由市侨联召集县统战部、县侨联、司法、住建、自然资源、信访及镇政府"
                "召开协调会，明确职责，再组织双方线上调解。",
                risk="medium",
                risk_notes="宗亲会成员多在海外，调解不成可能转为集体信访或引起侨界舆论；"
                "谭伯华若拒不退让，矛盾可能激化。应先固定占用范围的证据，协调会前由县侨联"
                "与宗亲会沟通，调解协议经司法确认以保证履行。",
                laws=[
                    ("《中华人民共和国民法典》", "第二百八十八条"),
                    ("《中华人民共和国民法典》", "第二百九十一条"),
                    ("《关于华侨修复祖墓问题的通知》(〔84〕侨政会字42号)", "全文"),
                ],
                dissents={"adviser2": "本案事实较清楚，可直接组织调解，无需先召开协调会。"},
            ),
        ),
        *ZIJIN_MEETING,
        *ZIJIN_MEDIATION,
        *ZIJIN_AGREEMENT,
    ],
)

OTHER_CASES = [
    DemoCase(
        title="市政道路施工致侨房墙体开裂赔偿",
        category=Case.Category.HOUSES,
        channel=Case.Channel.EMAIL,
        days_ago=40,
        organisation=CITY,
        officer="city_officer",
        summary="加拿大华侨黄美玲位于源城区的祖屋因市政道路施工出现墙体开裂，多次交涉未果。",
        claims="请求施工单位修复房屋并赔偿损失。",
        location="广东省河源市源城区",
        claimants=["黄美玲"],
        by_email=["黄美玲"],
        steps=[SCREEN, ACCEPT, *reviewed("mediation"), route("mediation")],
    ),
    DemoCase(
        title="归侨遗产继承公证受阻",
        category=Case.Category.INHERITANCE,
        channel=Case.Channel.VISIT,
        days_ago=25,
        organisation=CITY,
        officer="city_officer",
        summary="香港同胞陈国雄继承其父（归侨）在河源的房产，因境外亲属证明材料不全，公证受阻。",
        claims="请求协助办理继承公证。",
        location="广东省河源市源城区",
        claimants=["陈国雄"],
        # Waiting on adviser3, whose draft is half written.
        steps=[
            SCREEN,
            ACCEPT,
            to_review("adviser3"),
            ("declare", "adviser3", {}),
            (
                "draft",
                "adviser3",
                {
                    "facts": "陈国雄之父陈某为归侨，2019年在河源病故，遗有源城区房产一处。"
                    "陈国雄持香港居民身份，其境外兄妹的亲属关系证明尚未提交。",
                    "issues": "境外继承人身份及亲属关系证明如何取得；公证机构可否先行受理。",
                },
            ),
        ],
    ),
    DemoCase(
        title="印尼侨商投资合同纠纷",
        category=Case.Category.INVESTMENT,
        channel=Case.Channel.LETTER,
        days_ago=64,
        organisation=CITY,
        officer="city_officer",
        summary="印尼侨商李文辉投资的侨资企业与当地合作方就厂房租赁合同发生纠纷。",
        claims="请求协调合作方履行合同，退还多收租金。",
        location="广东省河源市高新区",
        claimants=["李文辉"],
        risk=Case.Risk.HIGH,
        steps=[SCREEN, ACCEPT, *reviewed("both", "adviser2"), route("both")],
    ),
    DemoCase(
        title="新加坡华侨祖宅宅基地边界纠纷",
        category=Case.Category.LAND,
        channel=Case.Channel.PHONE,
        days_ago=80,
        organisation=CITY,
        officer="city_officer",
        summary="新加坡华侨林建华祖宅宅基地与邻居发生边界争议。",
        claims="请求确认宅基地边界。",
        location="广东省河源市和平县",
        claimants=["林建华"],
        respondents=["黄启明"],
        steps=[
            SCREEN,
            ACCEPT,
            *reviewed("mediation", "adviser2"),
            route("mediation"),
            *mediated(
                {
                    "kind": "oral",
                    "reason": "经两轮调解，双方当场口头达成一致。",
                    "terms": "双方同意按1987年分家协议确定宅基地边界，由村委会埋设界桩。",
                }
            ),
            ("follow_up", CITY_OFFICER, {"visit": "电话回访林建华，界桩已埋设，表示满意。"}),
        ],
    ),
    DemoCase(
        title="归侨子女入学咨询",
        category=Case.Category.RETURNEE_AFFAIRS,
        channel=Case.Channel.VISIT,
        days_ago=120,
        organisation=CITY,
        officer="city_officer",
        summary="归侨曾秀英反映其子女回国后入读公办学校手续办理困难。",
        claims="请求协调教育部门办理入学。",
        location="广东省河源市源城区",
        claimants=["曾秀英"],
        steps=[
            SCREEN,
            ACCEPT,
            *reviewed("close"),
            route("close"),
            (
                "close_approval",
                SUPERVISOR,
                {"reason": "经法顾委书面意见及教育部门协调，子女已入学，当事人满意。"},
            ),
        ],
    ),
    DemoCase(
        title="英籍华人婚姻财产分割",
        category=Case.Category.MARRIAGE_FAMILY,
        channel=Case.Channel.ONLINE,
        days_ago=30,
        organisation=CITY,
        officer="city_officer",
        summary="英籍华人邓家豪就离婚后在河源的共有房产分割提出投诉。",
        claims="请求侨联介入分割房产。",
        location="广东省河源市东源县",
        claimants=["邓家豪"],
        steps=[
            SCREEN,
            (
                "decide",
                SUPERVISOR,
                {
                    "decision": "decline",
                    "reason": "属人民法院受理的婚姻家庭诉讼事项，"
                    "已告知当事人可向有管辖权的人民法院起诉。",
                    "reason_en": "The matter is a marriage and family dispute for the people's "
                    "courts; you may bring it before the competent court.",
                    "refer_to": None,
                },
            ),
        ],
    ),
    DemoCase(
        title="侨眷土地承包经营权被调整",
        category=Case.Category.LAND,
        channel=Case.Channel.LETTER,
        days_ago=20,
        organisation=CITY,
        officer="city_officer",
        summary="侨眷吴美华反映其家庭承包地被村委会调整，补偿未落实。",
        claims="请求恢复承包地或落实补偿。",
        location="广东省河源市紫金县",
        claimants=["吴美华"],
        steps=[
            SCREEN,
            (
                "decide",
                SUPERVISOR,
                {
                    "decision": "refer",
                    "reason": "属县级信访和农业农村部门职责。",
                    "refer_to": PETITIONS,
                },
            ),
        ],
    ),
    DemoCase(
        title="美籍华人房屋被征收补偿争议",
        category=Case.Category.HOUSES,
        channel=Case.Channel.ASSOCIATION_LETTER,
        days_ago=13,
        organisation=CITY,
        officer="city_officer",
        summary="美籍华人刘振邦的祖屋列入征收范围，对补偿标准有异议。",
        claims="请求按《归侨侨眷权益保护法》给予公平合理补偿和安置。",
        location="广东省河源市源城区",
        claimants=["刘振邦"],
        steps=[SCREEN],
    ),
    DemoCase(
        title="留学人员家庭侨企欠薪纠纷",
        category=Case.Category.INVESTMENT,
        channel=Case.Channel.PHONE,
        days_ago=70,
        organisation=CITY,
        officer="city_officer",
        summary="留学人员钟惠芳家庭经营的侨企被合作方拖欠货款，影响员工工资发放。",
        claims="请求协调追回货款。",
        location="广东省河源市龙川县",
        claimants=["钟惠芳"],
        steps=[
            SCREEN,
            ACCEPT,
            *reviewed("mediation", "adviser2"),
            route("mediation"),
            *mediated(
                {
                    "kind": "failed",
                    "reason": "合作方不同意还款方案，调解未能达成协议；已引导当事人申请仲裁。",
                    "route_forward": "arbitration",
                }
            ),
        ],
    ),
    DemoCase(
        title="华侨祖屋产权登记待补材料",
        category=Case.Category.HOUSES,
        channel=Case.Channel.LETTER,
        days_ago=35,
        organisation=CITY,
        officer="city_officer",
        summary="华侨黄美玲另一处祖屋办理产权登记，需境外公证材料。",
        claims="请求协助办理产权登记。",
        location="广东省河源市源城区",
        claimants=["黄美玲"],
        steps=[SCREEN, ACCEPT],
    ),
]


def agreement(
    facts: str, disputes: str, responsibilities: str, terms: list[tuple[str, str, str, int]]
) -> tuple[str, str, dict]:
    """The mediator drafts the written agreement: terms as (obligor, what, how, due in days
    from today)."""
    return (
        "draft_agreement",
        "mediator",
        {
            "facts": facts,
            "disputes": disputes,
            "responsibilities": responsibilities,
            "terms": [{"obligor": o, "text": t, "method": m, "due_in": d} for o, t, m, d in terms],
        },
    )


def written(reason: str) -> list[tuple[str, str, dict]]:
    """Mediation that reached a written agreement, before it is drafted."""
    return [
        SCREEN,
        ACCEPT,
        *reviewed("mediation"),
        route("mediation"),
        *mediated({"kind": "written", "reason": reason}),
    ]


SENT = ("send_agreement", "mediator", {})
SIGNED = ("sign_agreement", "mediator", {"sign": True})


def by_link(name: str) -> tuple[str, str, dict]:
    return ("confirm_by_link", CITY_OFFICER, {"party": name})


def on_paper(name: str) -> tuple[str, str, dict]:
    return ("file_paper_copy", CITY_OFFICER, {"party": name})


def performed(term: int, note: str, proof: str) -> tuple[str, str, dict]:
    return (
        "perform_term",
        CITY_OFFICER,
        {"term": term, "note": note, "proof": proof, "lines": [note, "经办人：陈志远"]},
    )


# Cases waiting at each step of the agreement, so that each of its screens has one: the
# draft saved (the mediator's signing task open), one party confirmed and one not, in
# performance with a term overdue and a term a party says is not performed, and in the
# follow-up (every term performed, the visit to make).
AGREEMENT_CASES = [
    DemoCase(
        title="马来西亚华人祖屋出租收益分配纠纷",
        category=Case.Category.HOUSES,
        channel=Case.Channel.EMAIL,
        days_ago=45,
        organisation=CITY,
        officer="city_officer",
        summary="马来西亚华人陈美珠与其堂兄温振华共有源城区祖屋一处，温振华出租多年未分配租金。",
        claims="请求按份额分配历年租金。",
        location="广东省河源市源城区",
        claimants=["陈美珠"],
        respondents=["温振华"],
        by_email=["陈美珠"],
        steps=[
            *written("双方同意按份额分配租金，签订书面调解协议。"),
            agreement(
                "祖屋系陈美珠与温振华共有，各占二分之一；2019年起由温振华出租，租金未分配。",
                "历年租金的数额和分配。",
                "温振华应按份额向陈美珠支付租金。",
                [
                    (
                        "温振华",
                        "向陈美珠支付2019年以来租金的一半，计人民币四万二千元。",
                        "银行转账",
                        30,
                    ),
                    ("陈美珠", "同意祖屋继续由温振华出租，每年一月结算租金。", "书面结算", 60),
                ],
            ),
        ],
    ),
    DemoCase(
        title="新加坡华侨祖屋通道相邻纠纷",
        category=Case.Category.LAND,
        channel=Case.Channel.LETTER,
        days_ago=50,
        organisation=CITY,
        officer="city_officer",
        summary="新加坡华侨罗志坚祖屋的出入通道被邻居刘德胜建房占用。",
        claims="请求恢复通道。",
        location="广东省河源市东源县",
        claimants=["罗志坚"],
        respondents=["刘德胜"],
        by_email=["罗志坚"],
        steps=[
            *written("双方同意留出一米五宽通道，签订书面调解协议。"),
            agreement(
                "罗志坚祖屋东侧通道宽约二米，2024年刘德胜建房时占用约一米。",
                "通道的宽度和恢复方式。",
                "刘德胜建房占用通道，应予恢复。",
                [
                    (
                        "刘德胜",
                        "拆除占用通道的围墙，留出一点五米宽通道。",
                        "自行拆除，村委会见证",
                        20,
                    ),
                    ("罗志坚", "通道恢复后不再主张其他赔偿。", "书面确认", 30),
                ],
            ),
            SENT,
            by_link("罗志坚"),
        ],
    ),
    DemoCase(
        title="香港同胞祖屋修缮款返还纠纷",
        category=Case.Category.HOUSES,
        channel=Case.Channel.VISIT,
        days_ago=55,
        organisation=CITY,
        officer="city_officer",
        summary="香港同胞古月娥汇给侨眷叶桂兰的祖屋修缮款未用于修缮。",
        claims="请求返还修缮款并交还祖屋钥匙。",
        location="广东省河源市和平县",
        claimants=["古月娥"],
        respondents=["叶桂兰"],
        by_email=["古月娥"],
        steps=[
            *written("双方同意返还修缮款、交还钥匙，签订书面调解协议。"),
            agreement(
                "2023年古月娥汇给叶桂兰祖屋修缮款三万元，修缮未进行。",
                "修缮款的返还和祖屋的管理。",
                "叶桂兰应返还未使用的修缮款。",
                [
                    ("叶桂兰", "返还修缮款人民币三万元。", "银行转账至古月娥账户", -3),
                    ("叶桂兰", "交还祖屋钥匙，搬出堆放的杂物。", "当面交还，村委会见证", 20),
                ],
            ),
            SENT,
            by_link("古月娥"),
            on_paper("叶桂兰"),
            SIGNED,
            (
                "term_unperformed",
                CITY_OFFICER,
                {"party": "古月娥", "term": 2, "note": "钥匙只交还了一把，杂物仍未搬出。"},
            ),
        ],
    ),
    DemoCase(
        title="泰国华人祖坟迁葬补偿纠纷",
        category=Case.Category.ANCESTRAL_GRAVES,
        channel=Case.Channel.ASSOCIATION_LETTER,
        days_ago=60,
        organisation=CITY,
        officer="city_officer",
        summary="泰国华人曾宪明的祖坟因黄启明承包的林地开发需迁葬，双方就补偿发生争议。",
        claims="请求给予迁葬补偿并协助择地安葬。",
        location="广东省河源市龙川县",
        claimants=["曾宪明"],
        respondents=["黄启明"],
        by_email=["曾宪明"],
        steps=[
            *written("双方同意迁葬补偿方案，签订书面调解协议。"),
            agreement(
                "曾宪明祖坟位于黄启明承包的林地内，林地开发需迁葬。",
                "迁葬补偿的数额和迁葬地点。",
                "黄启明应承担迁葬费用并给予补偿。",
                [
                    ("黄启明", "支付迁葬费用及补偿人民币二万元。", "银行转账", 15),
                    ("曾宪明", "在公墓择地迁葬，迁葬时通知黄启明。", "家属办理，侨联见证", 30),
                ],
            ),
            SENT,
            by_link("曾宪明"),
            on_paper("黄启明"),
            SIGNED,
            performed(1, "迁葬费用及补偿二万元已转账。", "履行凭证：银行转账回单"),
            performed(2, "已在龙川县公墓迁葬完毕。", "履行凭证：公墓安葬证明"),
            ("track_performance", CITY_OFFICER, {"notes": "两项条款均已履行。"}),
        ],
    ),
]


def _organisations() -> dict[str, Organisation]:
    made: dict[str, Organisation] = {}
    for name, kind, level, parent, prefix, name_en, phone in ORGANISATIONS:
        made[name], _ = Organisation.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "level": level,
                "parent": made.get(parent),
                "number_prefix": prefix,
                "name_en": name_en,
                "phone": phone,
            },
        )
    return made


def _users(organisations: dict[str, Organisation]) -> dict[str, User]:
    made = {}
    for username, display_name, (surname, given_name), organisation, role in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "display_name": display_name,
                "last_name": surname,
                "first_name": given_name,
                "email": f"{username}@qiaowei.example",
                "is_staff": username == "admin",
                "is_superuser": username == "admin",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(
            user=user, organisation=organisations[organisation], role=role
        )
        made[username] = user
    return made


def _people() -> dict[str, Person]:
    made = {}
    for name, latin, identity, nationality, country, tz, language, phone in PEOPLE:
        made[name], _ = Person.objects.get_or_create(
            name_zh=name,
            defaults={
                "name_latin": latin,
                "identity": identity,
                "nationality": nationality,
                "residence_country": country,
                "time_zone": tz,
                "preferred_language": language,
                "phone": phone,
                "email": EMAILS.get(name, ""),
            },
        )
    return made


def _association(people: dict[str, Person]) -> Association:
    association, created = Association.objects.get_or_create(
        name=TAN_ASSOCIATION,
        defaults={
            "name_latin": "Persatuan Tham Malaysia",
            "country": "MY",
            "email": "secretariat@tham-clan.example",
            "address": "Kuala Lumpur, Malaysia",
        },
    )
    if created:
        association.representatives.add(people["谭永康"], people["谭丽珍"])
    return association


def _case(
    spec: DemoCase,
    organisations: dict[str, Organisation],
    users: dict[str, User],
    people: dict[str, Person],
    association: Association,
) -> Case | None:
    if Case.objects.filter(title=spec.title).exists():
        return None
    # People enter a registry with the first case they are a party to, as at intake (an
    # association's representatives too: who may pick them may pick the association).
    representatives = association.representatives.all() if spec.association else []
    Person.objects.filter(
        Q(name_zh__in=[*spec.claimants, *spec.respondents]) | Q(pk__in=representatives),
        registered_by__isnull=True,
    ).update(registered_by=organisations[spec.organisation])
    parties = [PartyInput(role="claimant", person=people[n]) for n in spec.claimants]
    parties += [PartyInput(role="respondent", person=people[n]) for n in spec.respondents]
    if spec.association:
        parties.append(PartyInput(role="claimant", association=association))
    officer = users[spec.officer]
    case = workflow_services.register_case(
        actor=officer,
        handling_organisation=organisations[spec.organisation],
        title=spec.title,
        category=spec.category,
        channel=spec.channel,
        received_on=organisation_today() - datetime.timedelta(days=spec.days_ago),
        summary=spec.summary,
        claims=spec.claims,
        location=spec.location,
        risk_level=spec.risk,
        parties=parties,
    )
    _consents_by_email(case, officer, spec.by_email)
    for name, username, data in spec.steps:
        _step(case, name, users[username], _as_sent(data, organisations, users, case))
    return case


def _consents_by_email(case: Case, officer: User, names: list[str]) -> None:
    """The consents of claimants who wrote in by e-mail and asked to be answered so."""
    for party in case.parties.filter(role=Party.Role.CLAIMANT, person__name_zh__in=names):
        for purpose in (Consent.Purpose.ELECTRONIC_SERVICE, Consent.Purpose.CROSS_BORDER):
            record_consent(
                case=case,
                actor=officer,
                party=party,
                purpose=purpose,
                given=True,
                how=Consent.How.EMAIL,
                given_by=party.person.name_zh,
                note="来邮件表示同意通过电子邮件接收通知和文书，并同意文书发往其居住地。",
            )


def _as_sent(
    data: dict, organisations: dict[str, Organisation], users: dict[str, User], case: Case
) -> dict:
    """A step's data as its screen would send it: organisations by key, and what each
    stage's screens send in their own way."""
    sent = dict(data)
    if data.get("refer_to"):
        sent["refer_to"] = organisations[data["refer_to"]].pk
    for demo in stages.demos():
        if demo.as_sent:
            sent = demo.as_sent(sent, users, case)
    return sent


def _step(case: Case, name: str, user: User, data: dict) -> None:
    """One step of a demo case, as the person would take it on the screens: a stage's
    own (declaring, asking), the day's sweep of the clocks as beat runs it, else the task
    of that name."""
    if name == "day_ends":
        workflow_services.fire_clocks()
        return
    for demo in stages.demos():
        if name in demo.steps:
            demo.steps[name](case, user, data)
            return
    tasks = open_tasks_of(case)
    task = next(
        (
            t
            for t in tasks
            if t.flow_task.name == name
            and (t.owner_id == user.pk or t.flow_task.can_assign(user, t))
        ),
        None,
    )
    if task is None:
        open_names = [(t.flow_task.name, t.owner_id) for t in tasks]
        raise ValueError(f"Demo step {name} of {case.title}: no such task for {user}: {open_names}")
    form = task.flow_task.form_class(data, case=case, user=user, item=task.data)
    if not form.is_valid():
        raise ValueError(f"Demo step {name} of {case.title}: {form.errors.as_text()}")
    workflow_services.complete_task(task_id=task.pk, user=user, data=form.cleaned_data)


@transaction.atomic
def seed() -> dict[str, User]:
    organisations = _organisations()
    users = _users(organisations)
    for demo in stages.demos():
        if demo.prepare:
            demo.prepare(organisations, users)
    people = _people()
    association = _association(people)
    for spec in [ZIJIN, *OTHER_CASES, *AGREEMENT_CASES]:
        _case(spec, organisations, users, people, association)
    # The day's sweep, as beat runs it: reminders due, clocks run out (the Zijin meeting's
    # overdue action item) escalated.
    workflow_services.fire_clocks()
    return users
