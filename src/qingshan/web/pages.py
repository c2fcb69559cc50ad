"""Server-rendered pages (Chinese by default, ``?lang=en`` for English). They read through
the same query functions as the API and hold no rules of their own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from qingshan.errors import NotFound, QingshanError
from qingshan.ledger import queries
from qingshan.ledger import transparency as tlog
from qingshan.ledger.domain.serials import parse_serial
from qingshan.ledger.domain.urls import safe_href
from qingshan.reference.chongqing import DISTRICTS, DISTRICTS_2024
from qingshan.registry import queries as rq
from qingshan.registry.certificates import certificate
from qingshan.web import charts, geo
from qingshan.web.cockpit import cockpit

PAGE_SIZE = 25
TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(["html"]))
# a stored address becomes a link only when it is http(s) (rows from before the check too)
TEMPLATES.filters["safe_href"] = safe_href

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
           "vintage": "年份", "request": "签发申请", "project": "项目"},
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
           "vintage": "Vintage", "request": "Request", "project": "Project"},
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
}


def error_text(code: str, message: str, lang: str) -> str:
    """The message for a page: Chinese by code when the page is Chinese."""
    return ERRORS_ZH.get(code, message) if lang == "zh" else message


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang", "zh")
    return lang if lang in TEXT else "zh"


def _district_names(lang: str) -> dict[str, str]:
    return {d.code: d.name_zh if lang == "zh" else d.name_en
            for d in (*DISTRICTS_2024, *DISTRICTS)}


# an asset's unit in the reader's words (others are shown as the asset class names them)
UNIT_WORDS = {"tCO2e": ("吨", "tCO2e", "t"), "mu": ("亩", "mu", "mu")}


def unit_words(unit: str, lang: str) -> tuple[str, str]:
    """(the unit after a quantity, the unit of a chart's axis) for a page's language."""
    zh, chart, short = UNIT_WORDS.get(unit, (unit, unit, unit))
    return (zh, chart) if lang == "zh" else (short, chart)


def cockpit_cards(h: dict[str, Any], text: dict[str, str],
                  lang: str) -> list[tuple[str, str]]:
    """The headline cards: each asset's figures in its own unit, never summed across assets."""
    cards = [(text["enterprises"], f"{h['enterprises']:,}")]
    for code, a in h["assets"].items():
        word, _ = unit_words(a["unit"], lang)
        cards += [(f"{text['registered_t']} · {code}",
                   charts.quantity(a["registered"], lang, word, word)),
                  (f"{text['traded_t']} · {code}", charts.quantity(a["traded"], lang, word, word)),
                  (f"{text['traded_value']} · {code}", charts.money(a["traded_value_fen"], lang)),
                  (f"{text['retired_t']} · {code}",
                   charts.quantity(a["retired"], lang, word, word))]
    return [*cards, (text["projects"], f"{h['projects']:,}")]


def cockpit_figures(data: dict[str, Any], text: dict[str, str], lang: str) -> dict[str, Any]:
    """The map and the three charts, of the cockpit's one asset, in its unit."""
    _, unit = unit_words(data["unit"], lang)
    names = _district_names(lang)
    seats = {d.code: d for d in (*DISTRICTS_2024, *DISTRICTS)}
    points = [(names[c], seats[c].lon, seats[c].lat, data["districts"].get(c, 0))
              for c in {d.code for d in DISTRICTS} | set(data["districts"]) if c in seats]
    rings = geo.load()
    title = text[f"map_{data['measure']}"]
    return {
        "map": charts.district_map(rings, data["districts"], names, title=title, unit=unit)
        if rings else charts.symbol_map(points, title=title, unit=unit),
        "vintages": charts.column_chart(data["vintages"], title=text["by_vintage"], unit=unit),
        "purposes": charts.bar_chart([(text.get(p, p), q) for p, q in data["purposes"]],
                                     title=text["by_purpose"], unit=unit),
        "months": charts.column_chart(
            data["months"], title=text["by_month"], unit=unit,
            ticks=charts.year_ticks([m for m, _ in data["months"]])),
    }


STATIC = Path(__file__).parent / "static"
# the pages' files: their one script (progress, tables that sort, page and export), their style
# sheet, and the API documentation's Swagger UI (copied from npm's swagger-ui-dist by `make`)
# with its start-up script; all served by the platform itself, so pages work offline
STATIC_FILES = {"qingshan.js": "text/javascript; charset=utf-8",
                "qingshan.css": "text/css; charset=utf-8",
                "docs.js": "text/javascript; charset=utf-8",
                "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
                "swagger-ui.css": "text/css; charset=utf-8"}


def mount_pages(app: FastAPI) -> None:
    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        media = STATIC_FILES.get(name)
        if media is None or not (STATIC / name).exists():
            raise NotFound("no such file", file=name)
        return Response((STATIC / name).read_bytes(), media_type=media,
                        headers={"Cache-Control": "public, max-age=3600"})

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs() -> HTMLResponse:
        """The OpenAPI description in Swagger UI (no inline script, nothing from elsewhere)."""
        return HTMLResponse(TEMPLATES.get_template("docs.html").render())

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request, measure: str = "issued", asset: str = "") -> HTMLResponse:
        lang = _lang(request)
        text = TEXT[lang]
        edge = request.app.state.edge
        with edge.read() as conn:
            data = cockpit(conn, measure, asset)
            try:
                head: Any = queries.tree_head(conn)
            except QingshanError:
                head = None
        html = TEMPLATES.get_template("home.html").render(
            t=text, lang=lang, other="en" if lang == "zh" else "zh",
            cards=cockpit_cards(data["headline"], text, lang),
            figures=cockpit_figures(data, text, lang), measure=data["measure"],
            asset=data["asset"], assets=sorted(data["headline"]["assets"]), head=head)
        return HTMLResponse(html)

    @app.get("/registry", response_class=HTMLResponse, include_in_schema=False)
    def registry_page(request: Request, sort: str = "id", desc: bool = False,
                      page: int = 1) -> HTMLResponse:
        lang = _lang(request)
        names = _district_names(lang)
        with request.app.state.edge.read() as conn:
            projects = rq.projects(conn, limit=500)
            stats = rq.summary(conn)
            retirements = queries.retirements(conn, limit=100)
        keys = {"id": lambda p: p["id"], "name": lambda p: p["name"],
                "methodology": lambda p: p["methodology"],
                "district": lambda p: names.get(p["location"]["district"], ""),
                "status": lambda p: p["status"],
                "estimated": lambda p: p["estimated_annual"]}
        sort = sort if sort in keys else "id"
        projects.sort(key=keys[sort], reverse=desc)
        pages = max(1, -(-len(projects) // PAGE_SIZE))
        page = min(max(page, 1), pages)
        html = TEMPLATES.get_template("projects.html").render(
            t=TEXT[lang], lang=lang, other="en" if lang == "zh" else "zh",
            projects=projects[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], total=len(projects),
            page=page, pages=pages, sort=sort, desc=desc, stats=stats,
            retirements=retirements, districts=names)
        return HTMLResponse(html)

    @app.get("/registry/buffer", response_class=HTMLResponse, include_in_schema=False)
    def buffer_page(request: Request) -> HTMLResponse:
        """The buffer pool in public: what it holds, each issuance's share, each loss's draw."""
        lang = _lang(request)
        with request.app.state.edge.read() as conn:
            pool = rq.buffer_pool(conn)
            events = rq.losses(conn)
        html = TEMPLATES.get_template("buffer.html").render(
            t=TEXT[lang], lang=lang, other="en" if lang == "zh" else "zh", pool=pool,
            losses=events)
        return HTMLResponse(html)

    @app.get("/registry/factors", response_class=HTMLResponse, include_in_schema=False)
    def factors_page(request: Request) -> HTMLResponse:
        """The grid-factor table, each row with its source."""
        lang = _lang(request)
        with request.app.state.edge.read() as conn:
            rows = rq.grid_factors(conn)
        html = TEMPLATES.get_template("factors.html").render(
            t=TEXT[lang], lang=lang, other="en" if lang == "zh" else "zh", rows=rows)
        return HTMLResponse(html)

    @app.get("/registry/projects/{pid}", response_class=HTMLResponse, include_in_schema=False)
    def project_page(request: Request, pid: str) -> HTMLResponse:
        lang = _lang(request)
        with request.app.state.edge.read() as conn:
            p = rq.project(conn, pid)
        if p["status"] == "draft":
            raise NotFound("no such project", project=pid)
        html = TEMPLATES.get_template("project.html").render(
            t=TEXT[lang], lang=lang, other="en" if lang == "zh" else "zh", p=p,
            districts=_district_names(lang))
        return HTMLResponse(html)

    @app.get("/certificates/{rid}", response_class=HTMLResponse, include_in_schema=False)
    def certificate_page(request: Request, rid: str) -> HTMLResponse:
        lang = _lang(request)
        edge = request.app.state.edge
        with edge.read() as conn:
            cert = certificate(conn, rid, edge.platform.public_key_pem)
        verified: dict[str, Any] | None = None
        if request.query_params.get("verify"):
            try:
                tlog.check_bundle(tlog.InclusionBundle.from_json(cert["bundle_json"]),
                                  edge.platform.public_key_pem)
                verified = {"valid": True}
            except tlog.ProofError as exc:
                verified = {"valid": False, "reason": exc.message}
        html = TEMPLATES.get_template("certificate.html").render(
            t=TEXT[lang], lang=lang, other="en" if lang == "zh" else "zh", c=cert,
            verified=verified)
        return HTMLResponse(html)

    @app.get("/serials", response_class=HTMLResponse, include_in_schema=False)
    def serial_page(request: Request, q: str = "") -> HTMLResponse:
        lang = _lang(request)
        found: dict[str, Any] | None = None
        error: str | None = None
        if q:
            try:
                sn = parse_serial(q)
                with request.app.state.edge.read() as conn:
                    found = queries.find_serial(conn, sn)
            except QingshanError as exc:
                error = error_text(exc.code, exc.message, lang)
        html = TEMPLATES.get_template("serial.html").render(
            t=TEXT[lang], lang=lang, other="en" if lang == "zh" else "zh", q=q, found=found,
            error=error)
        return HTMLResponse(html, status_code=200 if error is None else 404)
