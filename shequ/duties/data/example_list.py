"""An example district list of community work (四张清单): the committee's statutory duties, the
government work it assists, the negative list and the certificates it may issue. The statutory
items follow 《中华人民共和国城市居民委员会组织法》 (articles 3 and 4); the certificate rule follows
民政部等六部门《关于改进和规范基层群众性自治组织出具证明工作的指导意见》（民发〔2020〕94号）.
A district replaces it with its own published list (import from xlsx, or edit on the page)."""

ORG_LAW = "《中华人民共和国城市居民委员会组织法》"
CERT_RULE = "民发〔2020〕94号"

# code, title, basis, department, frequency, hours/month, ledgers, funding standard (yuan), extra
STATUTORY = [
    (
        "YF-01",
        "宣传宪法、法律、法规和国家政策，维护居民合法权益",
        f"{ORG_LAW}第三条第一项",
        "江夏区司法局",
        "ongoing",
        4,
        "普法宣传活动记录",
        None,
    ),
    (
        "YF-02",
        "办理本居住地区居民的公共事务和公益事业",
        f"{ORG_LAW}第三条第二项",
        "江夏区民政局",
        "ongoing",
        10,
        "居务公开记录",
        None,
    ),
    (
        "YF-03",
        "调解民间纠纷",
        f"{ORG_LAW}第三条第三项；《中华人民共和国人民调解法》",
        "江夏区司法局",
        "on_demand",
        8,
        "人民调解登记台账",
        None,
    ),
    ("YF-04", "协助维护社会治安", f"{ORG_LAW}第三条第四项", "江夏区公安分局", "ongoing", 6, "", None),
    (
        "YF-05",
        "向人民政府或其派出机关反映居民的意见、要求和建议",
        f"{ORG_LAW}第三条第六项",
        "纸坊街道办事处",
        "ongoing",
        2,
        "民情日志",
        None,
    ),
    (
        "YF-06",
        "开展便民利民的社区服务活动",
        f"{ORG_LAW}第四条",
        "江夏区民政局",
        "ongoing",
        12,
        "社区服务记录",
        None,
    ),
    (
        "YF-07",
        "组织居民会议、居民代表会议，推进居务公开和民主协商",
        ORG_LAW,
        "江夏区民政局",
        "quarterly",
        4,
        "居民会议记录",
        None,
    ),
]

ASSIST = [
    (
        "XZ-01",
        "协助做好最低生活保障、特困人员救助供养的申请受理和入户调查",
        "《社会救助暂行办法》",
        "江夏区民政局",
        "monthly",
        8,
        "社会救助申请受理登记",
        None,
    ),
    (
        "XZ-02",
        "协助开展高龄津贴发放核实、老年人能力评估等养老服务工作",
        "《中华人民共和国老年人权益保障法》",
        "江夏区民政局",
        "monthly",
        6,
        "老年人能力评估台账",
        2000,
    ),
    (
        "XZ-03",
        "协助做好残疾人证申办、残疾人两项补贴的申请受理",
        "《中华人民共和国残疾人保障法》",
        "江夏区残疾人联合会",
        "on_demand",
        3,
        "",
        None,
    ),
    (
        "XZ-04",
        "协助开展就业登记、失业登记和就业困难人员援助",
        "《中华人民共和国就业促进法》",
        "江夏区人力资源和社会保障局",
        "monthly",
        5,
        "就业失业登记台账",
        None,
    ),
    (
        "XZ-05",
        "协助做好城乡居民基本养老保险、基本医疗保险参保登记",
        "《中华人民共和国社会保险法》",
        "江夏区医疗保障局",
        "yearly",
        6,
        "",
        None,
    ),
    (
        "XZ-06",
        "协助做好退役军人和其他优抚对象服务",
        "《中华人民共和国退役军人保障法》",
        "江夏区退役军人事务局",
        "ongoing",
        3,
        "退役军人服务站台账",
        None,
    ),
    (
        "XZ-07",
        "协助开展征兵宣传和兵役登记",
        "《中华人民共和国兵役法》",
        "江夏区人民武装部",
        "yearly",
        2,
        "",
        None,
    ),
    (
        "XZ-08",
        "协助开展爱国卫生运动和病媒生物防制",
        "《中华人民共和国基本医疗卫生与健康促进法》",
        "江夏区卫生健康局",
        "quarterly",
        4,
        "",
        None,
    ),
    (
        "XZ-09",
        "协助开展人口普查、经济普查等法定统计调查",
        "《中华人民共和国统计法》",
        "江夏区统计局",
        "once",
        20,
        "普查员工作记录",
        3000,
    ),
    (
        "XZ-10",
        "协助开展防汛抗旱、突发事件中的应急避险转移",
        "《中华人民共和国突发事件应对法》",
        "江夏区应急管理局",
        "on_demand",
        4,
        "",
        None,
    ),
    (
        "XZ-11",
        "协助做好禁毒宣传和社区戒毒、社区康复工作",
        "《中华人民共和国禁毒法》",
        "江夏区公安分局",
        "ongoing",
        2,
        "",
        None,
    ),
    (
        "XZ-12",
        "协助开展流动人口和出租房屋信息登记",
        "《居住证暂行条例》",
        "江夏区公安分局",
        "monthly",
        6,
        "出租房屋登记台账",
        None,
    ),
    (
        "XZ-13",
        "协助做好未成年人保护工作",
        "《中华人民共和国未成年人保护法》",
        "江夏区民政局",
        "ongoing",
        3,
        "",
        None,
    ),
    (
        "XZ-14",
        "协助开展生活垃圾分类宣传和督导",
        "《武汉市生活垃圾分类管理办法》",
        "江夏区城市管理执法局",
        "weekly",
        10,
        "垃圾分类督导记录",
        1500,
    ),
    (
        "XZ-15",
        "协助做好社区矫正对象的日常走访",
        "《中华人民共和国社区矫正法》",
        "江夏区司法局",
        "monthly",
        2,
        "",
        None,
    ),
]

# code, title, keywords, where it belongs instead
NEGATIVE = [
    ("FM-01", "招商引资、协税护税", "招商、引资、协税、护税、税收任务", "区商务局、税务部门"),
    (
        "FM-02",
        "城市管理、安全生产、环境保护、食品药品等行政执法和执法检查",
        "执法检查、行政执法、安全生产检查、食品药品检查",
        "依法承担执法职责的行政部门",
    ),
    (
        "FM-03",
        "房屋征收拆迁和违法建设拆除",
        "征收、拆迁、违建拆除、拆除违法建设",
        "区征收部门、城市管理执法部门",
    ),
    (
        "FM-04",
        "未经区委、区政府批准的创建达标、评比表彰和检查考核",
        "创建达标、评比、示范创建、达标验收",
        "报区委、区政府批准后按准入程序办理",
    ),
    (
        "FM-05",
        "部门业务报表的重复填报和在“一表通”之外另设台账",
        "重复填报、另建台账、手工台账",
        "通过“一表通”从已有数据生成",
    ),
    (
        "FM-06",
        "要求社区在办公场所悬挂部门牌子",
        "挂牌、悬挂牌子、门牌、标牌",
        "社区办公场所只挂党组织和居委会牌子",
    ),
    ("FM-07", "催缴物业费、水电气费等各类费用", "催缴、催收、收缴费用", "物业服务企业、供水供电供气企业"),
    ("FM-11", "无犯罪记录证明", "无犯罪记录、犯罪记录", "公安机关（户籍所在地或居住地派出所）"),
    ("FM-12", "亲属关系证明", "亲属关系、直系亲属", "公安派出所（户籍记载）或公证机构"),
    ("FM-13", "婚姻状况证明", "婚姻状况、未婚、单身证明", "婚姻登记机关，或由本人书面声明"),
    ("FM-14", "出生证明", "出生证明、出生医学证明", "助产医疗机构"),
    ("FM-15", "房屋产权证明", "产权证明、房产证明", "不动产登记机构"),
    ("FM-16", "健康状况证明", "健康证明、身体健康", "医疗卫生机构"),
    ("FM-17", "收入证明", "收入证明、工资证明", "工作单位或税务部门（个人所得税纳税记录）"),
]

# code, title
CERTIFICATES = [
    ("ZM-01", "居住情况证明（辖区实际居住，用于申领居住证、子女入学等）"),
    ("ZM-02", "家庭生活困难情况证明（用于申请助学、医疗救助）"),
    ("ZM-03", "居家正常死亡证明（无医疗机构出具死亡证明的）"),
    ("ZM-04", "参加社区志愿服务情况证明"),
]


def rows() -> list[dict]:
    """The items as rows for services.replace_items."""
    out, pos = [], 0

    def add(**kw):
        nonlocal pos
        pos += 1
        out.append({"position": pos, "set_by": "district", **kw})

    for code, title, basis, dept, freq, hours, ledgers, _std in STATUTORY:
        add(
            code=code,
            kind="statutory",
            title=title,
            basis=basis,
            department=dept,
            frequency=freq,
            hours_per_month=hours,
            ledgers=ledgers,
        )
    for code, title, basis, dept, freq, hours, ledgers, std in ASSIST:
        add(
            code=code,
            kind="assist",
            title=title,
            basis=basis,
            department=dept,
            frequency=freq,
            hours_per_month=hours,
            ledgers=ledgers,
            funding_required=std is not None,
            funding_standard=std,
        )
    for code, title, keywords, redirect in NEGATIVE:
        add(
            code=code,
            kind="negative",
            title=title,
            basis="江夏区社区工作负面清单",
            keywords=keywords,
            redirect=redirect,
            frequency="on_demand",
        )
    for code, title in CERTIFICATES:
        add(
            code=code,
            kind="certificate",
            title=title,
            basis=CERT_RULE,
            department="江夏区民政局",
            frequency="on_demand",
        )
    return out
