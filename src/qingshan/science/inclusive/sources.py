"""Where the carbon-inclusive factors and caps are printed. Each ``Citation`` names the
document, its issuer, the place and the printed words, and the URL of the stored copy read.
Most are press or aggregator copies of official releases (the originals could not be opened
here); docs/methodologies.md ("Carbon-inclusive scenarios") says which numbers were read."""

from __future__ import annotations

from qingshan.science.forest.parameters import Citation

SHENZHEN_PUBLIC_TRAVEL = Citation(
    "《深圳市低碳公共出行碳普惠方法学》 (Shenzhen low-carbon public travel carbon-inclusive "
    "methodology), as reported by 深圳商报 2022-09-23", "深圳市生态环境局",
    "乘坐纯电动公共汽车出行,每人每公里可减少26.9克二氧化碳排放,乘坐地铁出行,每人每公里可减少"
    "46.7克二氧化碳排放", "https://www.citysz.net/guonei/2022/0923/2022107136.html")

ANT_FOREST_RULES = Citation(
    "支付宝蚂蚁森林能源分类核对表 (Ant Forest green-energy rules), aggregator copy", "蚂蚁集团",
    "item 7 地铁票: 每次可以获得52g能量,一天最多5次; item 9 电子发票: 能量限额为5笔交易/天,能量生成"
    "为5g/笔交易; item 11 公共交通: 扫码 ... 获得80g/次能量",
    "http://freep.cn/zhuangxiu_6/News_5543475.html")

ANT_FOREST_WALKING = Citation(
    "蚂蚁森林能量计算规则 (Ant Forest energy rules), aggregator copies", "蚂蚁集团",
    "一、行走: 行走越多,能量越多。行走能量上限为296g/日 (also xmcar.cn/122409.html, "
    "2022-11-24: 行走能量上限296g/日)", "http://readke.com/c/3192776.html")

CHONGQING_BUS = Citation(
    "Chongqing's 'Carbon Huitong' platform shelves 'bus coupons' (碳惠通), from 中国环境网 "
    "cenews.com.cn", "重庆市生态环境局, 重庆市交通运输委员会 (reported)",
    "citizens can get 1.1 carbon credits for each bus ride to reduce carbon emissions by "
    "about 120g", "http://carbon.kcomber.com/en/news/b869de61-6153-47cd-86a4-56124ac6e75c")

MEE_GRID_2021 = Citation(
    "关于发布2021年电力二氧化碳排放因子的公告 (公告2024年第12号), as quoted by 新京报 2024-12-27",
    "生态环境部、国家统计局",
    "全国电力平均二氧化碳排放因子 2021: 0.5568 kgCO2/kWh (\"这比2021年的0.5568降低0.0202\")",
    "https://daydaynews.cc/zh-hant/finance/3899452.html")
MEE_GRID_2022 = Citation(
    "关于发布2022年电力二氧化碳排放因子的公告 (2024-12-20), as reported by 新京报 2024-12-27",
    "生态环境部、国家统计局",
    "全国电力平均二氧化碳排放因子为0.5366,即每千瓦时电力需要排放二氧化碳0.5366千克",
    "https://daydaynews.cc/zh-hant/finance/3899452.html")
MEE_GRID_2023 = Citation(
    "关于发布2023年电力二氧化碳排放因子的公告, as reported by 光明日报 (via 网易), January 2026",
    "生态环境部、国家统计局",
    "2023年全国电力平均二氧化碳排放因子为0.5306kgCO2/kWh,较2022年0.5366kgCO2/kWh下降1.1%",
    "https://www.163.com/dy/article/KIQVBKCG05567I2C.html")

PETROL_CAR_AND_EV = Citation(
    "公共自行车低碳的秘密 (news item of a parking operator, citing BNEF and SAIC)",
    "osparking.cn (citing 彭博新能源财经 and 上汽新能源)",
    "汽油车行驶平均碳排放为155克/公里; 特斯拉 ... 平均每公里耗电约为0.18度",
    "http://osparking.cn/nd.jsp?id=106&groupId=-1")
EV_METHOD = Citation(
    "T/CSAE 235-2021 《电动汽车出行碳减排核算方法》, as reported by 中国汽车报网 2021-12-20",
    "中国汽车工程学会",
    "基准线排放量=公里数×单位公里汽油或柴油消耗量×相应的排放因子; 项目排放量=公里数×单位公里耗能量×"
    "相应的排放因子 (formula only; no factor printed)",
    "http://m.fpigeon.com/car/2021/12/20/46312.html")
HELLO_REPORT = Citation(
    "哈啰 annual sustainability report, as reported by 电商网 2022-06-20", "哈啰出行 (reported)",
    "共享两轮出行用户累计骑行416亿公里,共计减少碳排放约194万吨;哈啰顺风车用户累计出行202亿公里、"
    "减少碳排放逾400万吨", "http://zx.dsww.cn/zixun/2022/0620/52297.html")
WUHAN_BIKE = Citation(
    "武汉 碳普惠 (武碳江湖) fixed values, as in the research notes "
    "(/work/shared/research/inclusive.md §2) — UNVERIFIED: the page was not read here",
    "武汉市生态环境局 (reported)", "bike 40 g/km; metro 170 g per ride",
    "http://cn.chinagate.cn/environment/2024-11/13/content_117542726.shtml")
WUHAN_WALKING = Citation(
    "武汉 碳碳星球 points, as in the research notes (/work/shared/research/inclusive.md §2) — "
    "UNVERIFIED: the page was not read here", "碳碳星球 (reported)",
    "walking 0.02 points per step; 1 point = 1 g",
    "http://www.twotravelingconsultants.com/yaowen/20220217/1731293.html")
CARPOOL_METHOD = Citation(
    "T/CCAA 38-2021 (carpooling carbon reduction), as in the research notes — UNVERIFIED: "
    "its factors were not found", "中国认证认可协会 (reported)",
    "ER = BE − PE, PE = PE_car + PE_sys; per-person-km factor with a driver-detour "
    "coefficient", "http://houyingdance.com/zh/2022/0425/27847.html")

TIANJIN_CHOPSTICKS = Citation(
    "天津:锚定双碳目标 实现绿色发展 (Tianjin outreach), 天津北方网 via 津云新闻, March 2022",
    "津云新闻", "少用一双一次性筷子,可以减少约20克碳排放",
    "http://m.hg-news.cn/dongtai/202203/999938747.html")
SECOND_HAND_PHONE = Citation(
    "abstract of a 2023 journal item on idle-goods trading (scholarmate.com)", "scholarmate",
    "有专家表示,每一单闲置手机交易,至少可以实现约25公斤的碳减排量",
    "https://scholarmate.com/S/afPYNf")
TEXTILES = Citation(
    "回收衣服与减少碳排放量之间的关系 (OOLA recycling platform, 2021-05-15), citing a BIR study "
    "(Copenhagen, 2008) not read here", "噢啦OOLA",
    "每回收利用1kg旧纺织物,就可以降低3.6kg的碳排放 (the same figure at reibang.com/p/43c5027bf83c)",
    "https://www.oola.cn/dynamic/detail/533")
TEXTILES_NATIONAL = Citation(
    "衣橱里的\"石油\", 澎湃新闻 2014-07-02", "澎湃新闻",
    "如果我国废旧纺织品全部得到回收利用 ... 2000万吨左右 ... 减少二氧化碳排放8000万吨 (4 t per t)",
    "http://www.thepaper.cn/newsDetail_forward_1251810")
WASTE_PAPER = Citation(
    "揭秘废纸回收 (an unattributed explainer page; its own attribution to 国家环保部 not checked)",
    "httgc.com", "废纸回收过程中,每吨废纸可以减少约1.5吨二氧化碳排放",
    "https://www.httgc.com/kk/jie-mi-fei-zhi-hui-shou-shu-zi-bei-hou-de-huan-bao-li-liang-yu-"
    "tiao-zhan.html")

PLATFORM = Citation(
    "Qingshan platform choice — UNVERIFIED: no published factor found "
    "(docs/methodologies.md, Carbon-inclusive scenarios)", "Qingshan",
    "derivation in the factor version's note")
