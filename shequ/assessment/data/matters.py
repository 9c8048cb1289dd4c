"""A sample list of administrative matters a district delegates to its communities (大项 → 小项),
shipped so the burden ledger has a baseline from the first day. It is a sample: the district
replaces it with its own list (admin → 下沉事项大项/小项); every row says so until edited."""

MATTERS = (
    ("民政", "区民政局", ("低保对象入户调查", "特困人员供养初审", "临时救助申请受理", "高龄津贴资格认证")),
    (
        "人力资源和社会保障",
        "区人社局",
        ("城乡居民养老保险参保登记", "就业失业登记", "退休人员社会化管理服务"),
    ),
    ("卫生健康", "区卫健委", ("计划生育家庭奖励扶助初审", "健康教育宣传", "重点人群健康随访协助")),
    ("退役军人事务", "区退役军人事务局", ("退役军人信息采集", "优抚对象走访慰问")),
    ("残疾人工作", "区残联", ("残疾人证申办初审", "残疾人两项补贴初审")),
    ("综合治理与平安建设", "区委政法委", ("矛盾纠纷排查化解", "社区矫正对象协助管理", "平安创建宣传")),
    ("应急管理与消防", "区应急管理局", ("安全隐患排查报告", "防汛防灾转移安置协助")),
    ("城市管理与环境卫生", "区城管局", ("垃圾分类宣传督导", "违法建设巡查报告")),
)
