"""The starting classification scheme and retention schedule (保管期限表) of a community's fonds.

Modelled on the filing scope and retention schedule annexed to the 城市社区档案管理办法 (国家档案局、
民政部, in force 2016) and arranged by DA/T 22-2015 《归档文件整理规则》. It is a starting point only:
the district archive bureau (区档案馆) confirms and edits it for its communities (the admin edits the
rows; `confirmed_by_bureau` stays False on every entry shipped here until it has).

门类 (class) codes as DA/T 22-2015 and local practice use them: 文书 WS, 科技 KJ, 会计 KU.
机构（问题）codes are a community's own problem codes (a residents' committee has no departments).
Retention: Y 永久, D30 定期30年, D10 定期10年.
"""

CLASSES = [
    # (code, name, order)
    ("WS", "文书", 1),
    ("KJ", "科技", 2),
    ("KU", "会计", 3),
]

TOPICS = [
    # (class code, code, name)
    ("WS", "ZZ", "居民自治与组织建设"),
    ("WS", "DJ", "党建工作"),
    ("WS", "ZH", "综合管理"),
    ("WS", "MZ", "民政与社会保障"),
    ("WS", "PA", "平安建设与人民调解"),
    ("WS", "FW", "社区服务与诉求办理"),
    ("KJ", "JS", "设施建设与维修"),
    ("KU", "PZ", "会计凭证"),
    ("KU", "ZB", "会计账簿"),
    ("KU", "BG", "财务会计报告"),
]

SCHEDULE = [
    # (code, class, topic, description, retention, expected every year)
    ("WS-01", "WS", "ZZ", "居民会议、居民代表会议、四会的会议记录、纪要和决议", "Y", True),
    ("WS-02", "WS", "ZZ", "居民委员会换届选举的文件材料（选民名单、选票统计、当选名单）", "Y", False),
    ("WS-03", "WS", "ZZ", "居民公约、自治章程及其修订", "Y", False),
    ("WS-04", "WS", "ZH", "社区年度工作计划、总结和重要工作报告", "Y", True),
    ("WS-05", "WS", "ZH", "社区工作准入事项的审核决定书、不予准入告知书", "D30", False),
    ("WS-06", "WS", "ZH", "上级机关发给社区需办理执行的文件", "D10", False),
    ("WS-07", "WS", "ZH", "社区人口、户籍、房屋等基本情况统计表", "D30", True),
    ("WS-08", "WS", "DJ", "社区党组织换届选举、党员名册、发展党员材料", "Y", False),
    ("WS-09", "WS", "DJ", "社区党组织会议记录", "D30", True),
    ("WS-10", "WS", "MZ", "低保、特困、临时救助对象审核审批材料", "D30", False),
    ("WS-11", "WS", "MZ", "社区出具的证明及不予出具告知书（存根）", "D10", False),
    ("WS-12", "WS", "PA", "人民调解申请书、调解笔录、调解协议书", "D30", True),
    ("WS-13", "WS", "PA", "社区矫正、安置帮教工作材料", "D30", False),
    ("WS-14", "WS", "FW", "居民诉求和事件的受理、处置、结案材料", "D10", False),
    ("WS-15", "WS", "FW", "社区服务项目、志愿服务活动记录", "D10", False),
    ("KJ-01", "KJ", "JS", "社区服务设施建设、改造、维修的工程文件和竣工图", "D30", False),
    ("KU-01", "KU", "PZ", "会计凭证（原始凭证、记账凭证）", "D30", True),
    ("KU-02", "KU", "ZB", "会计账簿（总账、明细账、日记账）", "D30", True),
    ("KU-03", "KU", "BG", "年度财务会计报告", "Y", True),
    ("KU-04", "KU", "BG", "月度、季度财务会计报告", "D10", False),
]

# Where the platform's own records are filed: capture rule key → schedule entry code. The rule
# itself (how to list a year's records and render one) is registered by the module that keeps them.
CAPTURE = {
    "cases.closed_case": "WS-14",
    "duties.admission_letter": "WS-05",
    "duties.certificate": "WS-11",
    "participation.meeting_minutes": "WS-01",
    "participation.charter_version": "WS-03",
    "participation.election_result": "WS-02",
    # Annual ledgers, generated for a community and a finished year.
    "people.resident_structure": "WS-07",
    "services.service_ledger": "WS-15",
    "ledgers.relief_payments": "WS-10",
}
