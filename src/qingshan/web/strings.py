"""Every word the pages say that is written in Python, in both languages (Chinese by
default, English with ``?lang=en``): the labels (``TEXT``), the error messages by stable code
(``ERRORS_ZH``; the API answers in English with the same codes) and the units' words. The
templates keep their markup and the few words that belong to one template."""

from __future__ import annotations

TEXT = {
    "zh": {"title": "青山 · 生态资产登记簿", "registry": "公开登记簿", "supply": "各资产供给",
           "asset": "资产", "issued": "已签发", "active": "流通", "held": "冻结/挂单",
           "retired": "已注销(退役)", "cancelled": "已取消", "parties": "参与方",
           "log": "透明日志", "size": "条目数", "root": "树根", "search": "查询序列号",
           "go": "查询", "state": "状态", "history": "历史", "lang": "English",
           "api": "API 文档", "none": "暂无数据", "projects": "项目", "name": "名称",
           "methodology": "方法学", "district": "区县", "status": "状态",
           "estimated": "预计年减排量", "retirements": "注销记录", "quantity": "数量",
           "purpose": "用途", "beneficiary": "受益方", "crediting": "计入期",
           "validator": "审定机构", "documents": "文件", "reports": "监测报告",
           "period": "监测期", "claimed": "申报量", "verified": "核证量", "step": "步骤",
           "actor": "操作者", "reason": "理由", "draft": "草稿", "submitted": "已提交",
           "validated": "已审定", "registered": "已登记", "suspended": "暂停",
           "withdrawn": "已撤回", "rejected": "未通过", "compliance": "碳履约",
           "carbon_neutrality": "碳中和", "judicial_compensation": "以碳代偿",
           "voluntary": "自愿注销", "registry_link": "项目登记簿",
           "enterprises": "登记企业", "registered_t": "累计登记", "traded_t": "累计成交",
           "traded_value": "成交金额", "retired_t": "累计注销",
           "map_issued": "各区县签发量", "map_retired": "各区县项目减排量注销量",
           "map_traded": "各区县项目减排量成交量", "traded": "已成交",
           "sector_forestry": "林业碳汇", "sector_energy": "能源", "sector_agriculture": "农业",
           "sector_inclusive": "碳普惠",
           "case_ordered": "待缴款", "case_paid": "已缴款待购买", "case_purchased": "已购买",
           "case_retired": "已注销", "case_closed": "已执结", "create_case": "立案(判决)",
           "amend_case": "变更(裁定)", "record_payment": "缴款", "purchase_for_case": "购买",
           "retire_for_case": "注销", "close_case": "执结", "offer_to_case": "卖方要约",
           "accept_offer": "接受要约(协议购买)",
           "by_vintage": "按年份签发量", "by_purpose": "注销用途", "by_month": "每月成交量",
           "measure": "地图指标", "cockpit": "驾驶舱",
           "buffer": "缓冲池",
           "buffer_note": "林业等项目每次签发时按方法学比例(向上取整)存入缓冲池;"
                          "发生损失(火灾、病虫害、采伐等)时先注销缓冲池减排量,"
                          "可避免的损失再注销项目业主的减排量。",
           "pool_held": "现存", "contributed": "累计存入", "drawn": "损失注销",
           "contributions": "各次签发存入", "draws": "损失事件与注销", "losses": "损失事件",
           "cause": "原因", "avoidable": "可避免", "found_by": "发现方", "occurred": "发生日期",
           "buffer_cancelled": "注销缓冲池", "proponent_cancelled": "注销业主",
           "yes": "是", "no": "否", "fire": "火灾", "pests": "虫害", "disease": "病害",
           "harvest": "采伐", "storm": "风暴", "drought": "干旱", "land_use_change": "土地用途变更",
           "other": "其他", "proponent": "项目业主", "verification": "核证时发现",
           "operator": "平台", "factors": "电网排放因子表", "kind": "类型", "region": "区域",
           "year": "年份", "value": "数值", "source": "来源", "factors_note":
           "光伏等方法学按监测期所在年份,取项目所在电网已发布的最新电量边际(OM)与容量边际(BM)基准线"
           "排放因子;全国和区域电力平均排放因子仅供核算电力消费排放,不用于签发。",
           "fixed": "审定固定参数", "validations": "审定记录", "basis": "计算依据",
           "vintage": "年份", "request": "签发申请", "project": "项目",
           "rights": "资源权益", "rights_short": "未达标", "rights_met": "恰好达标",
           "rights_surplus": "有富余", "rights_unmeasured": "未测算",
           "rights_map": "各区县森林覆盖率尽责目标完成情况",
           "rights_prices": "合同单价(元/亩)与面积", "rights_coverage": "各年森林覆盖率",
           "rights_own": "本区县", "rights_with_trades": "计入交易后", "rights_target": "尽责目标",
           "rights_income": "开发权经营收入(元)", "forest_area": "森林面积指标",
           "greening": "绿化增量责任指标", "clean_water": "清水增量责任指标",
           "proposed": "卖方已签", "agreed": "买方已签", "approved": "已批准(托管中)",
           "completed": "已完成", "pending": "待批准", "escrowed": "托管中",
           "accepted": "验收合格", "released": "已交割", "withheld": "验收不合格(退回)",
           "planned": "治理中", "abandoned_mine": "废弃矿山", "black_odour_water": "黑臭水体",
           "rocky_desertification": "石漠化", "barren_land": "荒山荒地",
           "eco_agriculture": "生态农业", "eco_tourism": "生态旅游",
           "propose_contract": "卖方签约", "agree_contract": "买方签约",
           "approve_contract": "平台批准", "record_tranche_check": "验收",
           "release_tranche": "交割", "record_succession": "区划调整承继",
           "record_measurement": "森林资源监测", "issue_indicators": "核发指标",
           "register_restoration": "登记修复项目", "accept_restoration": "修复验收",
           "transfer_development_right": "开发权转让", "report_income": "报告收入"},
    "en": {"title": "Qingshan · ecological asset registry", "registry": "Public registry",
           "supply": "Supply by asset", "asset": "Asset", "issued": "Issued",
           "active": "Active", "held": "Held", "retired": "Retired", "cancelled": "Cancelled",
           "parties": "Parties", "log": "Transparency log", "size": "Entries",
           "root": "Root", "search": "Look up a serial", "go": "Search", "state": "State",
           "history": "History", "lang": "中文", "api": "API docs", "none": "No data yet",
           "projects": "Projects", "name": "Name", "methodology": "Methodology",
           "district": "District", "status": "Status", "estimated": "Estimated tCO2e/yr",
           "retirements": "Retirements", "quantity": "Quantity", "purpose": "Purpose",
           "beneficiary": "Beneficiary", "crediting": "Crediting period",
           "validator": "Validation body", "documents": "Documents",
           "reports": "Monitoring reports", "period": "Period", "claimed": "Claimed",
           "verified": "Verified", "step": "Step", "actor": "Actor", "reason": "Reason",
           "draft": "Draft", "submitted": "Submitted", "validated": "Validated",
           "registered": "Registered", "suspended": "Suspended", "withdrawn": "Withdrawn",
           "rejected": "Rejected", "compliance": "Compliance",
           "carbon_neutrality": "Carbon neutrality",
           "judicial_compensation": "Judicial compensation", "voluntary": "Voluntary",
           "registry_link": "Project registry",
           "enterprises": "Enterprises", "registered_t": "Registered", "traded_t": "Traded",
           "traded_value": "Value traded", "retired_t": "Retired",
           "map_issued": "Units issued by district", "map_retired":
           "Units retired by the project's district",
           "map_traded": "Units traded by the project's district", "traded": "Traded",
           "sector_forestry": "forestry", "sector_energy": "energy",
           "sector_agriculture": "agriculture", "sector_inclusive": "carbon-inclusive",
           "case_ordered": "awaiting payment", "case_paid": "paid, buying",
           "case_purchased": "bought", "case_retired": "retired", "case_closed": "closed (执结)",
           "create_case": "judgment entered", "amend_case": "amended by a ruling",
           "record_payment": "payment", "purchase_for_case": "purchase",
           "retire_for_case": "retirement", "close_case": "closed",
           "offer_to_case": "a seller's offer", "accept_offer": "offer accepted (bilateral)",
           "by_vintage": "Issued by vintage",
           "by_purpose": "Retired by purpose", "by_month": "Traded per month",
           "measure": "Map measure", "cockpit": "Cockpit",
           "buffer": "Buffer pool", "buffer_note": "Every issuance of a forestry project puts its "
           "methodology's share (rounded up) into the buffer pool; a loss (fire, pests, harvest) "
           "cancels buffer units first, then the proponent's if it was avoidable.",
           "pool_held": "Held", "contributed": "Contributed", "drawn": "Drawn by losses",
           "contributions": "Shares by issuance", "draws": "Loss events and cancellations",
           "losses": "Loss events", "cause": "Cause", "avoidable": "Avoidable",
           "found_by": "Found by", "occurred": "Occurred", "buffer_cancelled": "From the buffer",
           "proponent_cancelled": "From the proponent", "yes": "yes", "no": "no",
           "fire": "fire", "pests": "pests", "disease": "disease", "harvest": "harvest",
           "storm": "storm", "drought": "drought", "land_use_change": "land-use change",
           "other": "other", "proponent": "proponent", "verification": "verification",
           "operator": "operator", "factors": "Grid emission factors", "kind": "Kind",
           "region": "Region", "year": "Year", "value": "Value", "source": "Source",
           "factors_note": "PV credits take, for the monitoring period's year, the latest "
           "published operating-margin (OM) and build-margin (BM) baseline factors of the "
           "project's grid; national and regional average factors are for accounting "
           "electricity consumption and are never used for issuance.",
           "fixed": "Fixed at validation", "validations": "Validations", "basis": "Basis",
           "vintage": "Vintage", "request": "Request", "project": "Project",
           "rights": "Resource rights", "rights_short": "short", "rights_met": "met exactly",
           "rights_surplus": "surplus", "rights_unmeasured": "not measured",
           "rights_map": "Districts against their forest-coverage targets",
           "rights_prices": "Contracts: unit price (CNY/mu) and area",
           "rights_coverage": "Forest coverage by year", "rights_own": "own forest",
           "rights_with_trades": "with traded indicators", "rights_target": "target",
           "rights_income": "Income on the development right (CNY)",
           "forest_area": "forest-area indicator", "greening": "greening-increment indicator",
           "clean_water": "clean-water-increment indicator",
           "proposed": "signed by the seller", "agreed": "countersigned",
           "approved": "approved (in escrow)", "completed": "completed",
           "pending": "pending", "escrowed": "in escrow", "accepted": "accepted",
           "released": "released", "withheld": "withheld (check failed)",
           "planned": "under way", "abandoned_mine": "abandoned mine",
           "black_odour_water": "black-odour water",
           "rocky_desertification": "rocky desertification", "barren_land": "barren land",
           "eco_agriculture": "eco-agriculture", "eco_tourism": "eco-tourism",
           "propose_contract": "signed by the seller", "agree_contract": "countersigned",
           "approve_contract": "approved", "record_tranche_check": "acceptance check",
           "release_tranche": "released", "record_succession": "succession",
           "record_measurement": "survey", "issue_indicators": "indicators issued",
           "register_restoration": "registered", "accept_restoration": "acceptance",
           "transfer_development_right": "right transferred",
           "report_income": "income reported"},
}


# Error messages in Chinese, by stable code (the API answers in English with the same codes).
ERRORS_ZH = {
    "unauthenticated": "未登录或密钥无效", "forbidden": "当前角色无权执行此操作",
    "not_account_owner": "该账户属于其他参与方", "invalid_input": "输入有误",
    "malformed_identifier": "编号格式不正确", "malformed_serial": "序列号格式不正确",
    "invalid_quantity": "数量须为正整数", "unknown_serial": "未找到该序列号",
    "unknown_account": "账户不存在", "insufficient_units": "可用减排量不足",
    "insufficient_funds": "可用资金不足", "serials_not_available": "所选序列号不可用",
    "price_outside_band": "价格超出当日涨跌幅限制", "off_tick": "价格或数量不符合最小变动单位",
    "order_not_open": "委托已不在有效状态", "wrong_state": "当前状态不允许此步骤",
    "over_issuance": "超过已核证数量", "period_overlap": "监测期与已有报告重叠",
    "rate_limited": "委托过于频繁,请稍后再试", "position_limit": "超过持仓限额",
    "idempotency_conflict": "该请求已提交过", "account_not_open": "账户已冻结或关闭",
    "invalid_text": "文字含有不允许的字符(控制字符等)或超出长度",
    "invalid_number": "请只用半角数字 0-9 填写", "period_not_ended": "监测期尚未结束",
    "request_too_large": "提交的内容过大",
    "fixed_parameter": "该参数已在审定时固定,监测报告只能填写监测参数",
    "methodology_superseded": "该方法学版本已被替代,请使用新版本(或重新审定)",
    "green_certificates_claimed": "该监测期电量已核发绿证,不能重复签发",
    "no_grid_factor": "尚无适用于该电网和年份的基准线排放因子",
    "loss_exceeds_cover": "缓冲池(及业主持有量)不足以覆盖该损失",
    "over_reversal": "损失量超过项目已签发的减排量", "no_buffer": "该方法学不设缓冲池",
    "trading_halted": "该品种已暂停交易", "wrong_phase": "当前交易阶段不允许此操作",
    "unknown_case": "案件不存在", "wrong_case_state": "案件当前状态不允许此步骤",
    "duplicate_payment": "该缴款流水号已登记,同一笔款项只计一次",
    "above_cap": "限价高于法院确定的最高价格",
    "wrong_credit_kind": "该品种的减排量类型不符合判决要求",
    "no_escrow_account": "法院尚未开立案款托管账户", "case_money_short": "案款不足以按该限价购买",
    "malformed_case_number": "案号格式应如（2023）渝0102刑初123号",
    "unknown_offer": "该案件没有这一要约", "offer_not_open": "该要约已被接受",
    "unknown_contract": "协议不存在", "unknown_restoration": "生态修复项目不存在",
    "not_a_district": "该参与方不是区县政府",
    "not_for_district": "只能由本区县(或平台运营方)办理本区县的事项",
    "district_succeeded": "该区县已撤并,由承继的区县办理",
    "no_measurement": "该区县尚无经核实的监测数据",
    "above_surplus": "超过该区县经核实的目标以上富余量",
    "below_floor": "单价低于规定的最低价格",
    "wrong_contract_state": "协议当前状态不允许此步骤",
    "wrong_tranche_state": "该期当前状态不允许此步骤(已验收,或未通过验收)",
    "tranche_released": "该期指标和价款已交割,不能重复交割",
    "wrong_restoration_state": "生态修复项目当前状态不允许此步骤",
    "share_above_cap": "开发利用比例超过上限(修复面积的 3%)",
    "income_reported": "该年度收益已报告",
}


def error_text(code: str, message: str, lang: str) -> str:
    """The message for a page: Chinese by code when the page is Chinese."""
    return ERRORS_ZH.get(code, message) if lang == "zh" else message


# an asset's unit in the reader's words (others are shown as the asset class names them)
UNIT_WORDS = {"tCO2e": ("吨", "tCO2e", "t"), "mu": ("亩", "mu", "mu")}


def unit_words(unit: str, lang: str) -> tuple[str, str]:
    """(the unit after a quantity, the unit of a chart's axis) for a page's language."""
    zh, chart, short = UNIT_WORDS.get(unit, (unit, unit, unit))
    return (zh, chart) if lang == "zh" else (short, chart)


# the form field an error without one of its own belongs to, to show it next to that field
FIELD_OF_CODE = {"insufficient_units": "quantity", "insufficient_funds": "quantity"}
