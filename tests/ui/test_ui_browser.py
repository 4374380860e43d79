"""The UI in a real browser (Playwright driving Debian's chromium) against the app served by uvicorn on
a fresh SQLite store. Screenshots go to test-artifacts/ui/ (docs/ui.md shows copies of them)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.values import Actor, Agency, Role
from tests.ui.conftest import PASSWORD, LiveServer

pytestmark = pytest.mark.browser

EXPECT_TIMEOUT = 10_000


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def shot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / name), full_page=True)


def sign_in(page: Any, server: LiveServer, user: str) -> None:
    page.goto(f"{server.url}/ui/login")
    page.fill("#f-username", user)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".who")).to_contain_text(user)


def sign_out(page: Any) -> None:
    page.click("text=退出登录")
    expect(page).to_have_url(re.compile(r"/ui/login$"))


def field(page: Any, name: str, within: str = "") -> Any:
    return page.locator(f'{within} [name="{name}"]'.strip())


def error_beside(page: Any, name: str, within: str = "") -> Any:
    return page.locator(f'{within} [data-field="{name}"] .field-error'.strip())


def open_action(page: Any, command: str) -> str:
    scope = f'[data-command="{command}"]'
    page.locator(f"{scope} summary").first.click()
    return scope


def submit_action(page: Any, scope: str) -> None:
    page.locator(f"{scope} button[type=submit]").first.click()


def done(page: Any, text: str) -> None:
    expect(page.locator(".flash.ok")).to_contain_text(text, timeout=EXPECT_TIMEOUT)


def refused_beside(page: Any, name: str, message: str, within: str = "") -> None:
    expect(error_beside(page, name, within)).to_have_text(message, timeout=EXPECT_TIMEOUT)


def listed(page: Any, url: str, text: str, tries: int = 40) -> None:
    """The lists come from views that follow the log; reload until the row is there."""
    for _ in range(tries):
        page.goto(url)
        if page.locator("table.list").filter(has_text=text).count():
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"{text} never appeared on {url}")


STAFF = Actor("u-staff", Role.STAFF, Agency.UNION)
HR = Actor("u-hr", Role.PARTNER, Agency.HR)
CENTRE = {"org_type": "UNION_MEDIATION_CENTRE", "org_name": "区总工会劳资纠纷调解中心",
          "consent": {"worker": True, "employer": True}}


@pytest.fixture(scope="module")
def caseload(live_server: LiveServer) -> None:
    """Earlier cases, so the lists and charts have something to show: one on time, one due soon, one
    whose award is overdue at the HR bureau, one settled by mediation; and two 12351 tickets."""
    app, today = live_server.engine.app, live_server.clock.today()

    def day(days_ago: int) -> str:
        return (today - timedelta(days=days_ago)).isoformat()

    def dispute(name: str, employer: str, street: str, amount: str, days_ago: int) -> str:
        case = app.register_dispute({
            "summary": "拖欠工资", "received_on": day(days_ago), "workplace": {"street": street},
            "claimants": [{"kind": "WORKER", "person": {"name": name}}],
            "respondents": [{"kind": "EMPLOYER", "organisation": {"name": employer}}],
            "claims": [{"kind": "WAGE", "amount_cny": amount}]}, actor=STAFF).id
        app.dispute_command(case, "assign_caseworker", {"caseworker": "u-staff"}, actor=STAFF)
        return case

    for name, employer, street, amount, days_ago in (("王芳", "顺达物流有限公司", "城关街道", "9200", 12),
                                                     ("赵敏", "天成餐饮管理有限公司", "城关街道", "4300", 5)):
        app.dispute_command(dispute(name, employer, street, amount, days_ago), "open_proceeding",
                            {"kind": "MEDIATION", "received_on": day(days_ago), **CENTRE}, actor=STAFF)
    overdue = dispute("刘强", "华美建筑工程有限公司", "东湖街道", "56000", 60)
    handoff = app.dispute_command(overdue, "request_handoff", {
        "kind": "ARBITRATION", "org_type": "ARBITRATION_COMMISSION", "org_name": "区劳动人事争议仲裁委员会",
        "reason": "PARTY_APPLICATION", "on": day(58), "dossier": [{
            "doc_type": "APPLICATION", "title": "仲裁申请书", "sha256": hashlib.sha256(b"a").hexdigest()}]},
        actor=STAFF).data["handoff_id"]
    app.dispute_command(overdue, "accept_handoff", {"handoff_id": handoff, "on": day(55),
                                                    "receiving_case_no": "（2026）区劳人仲案字第0003号"}, actor=HR)
    settled = dispute("孙丽", "新星电子科技有限公司", "西山街道", "12800", 30)
    mediation = app.dispute_command(settled, "open_proceeding", {"kind": "MEDIATION", "received_on": day(30),
                                                                 **CENTRE}, actor=STAFF).data["proceeding_id"]
    app.dispute_command(settled, "accept_proceeding", {"proceeding_id": mediation, "on": day(29)}, actor=STAFF)
    app.dispute_command(settled, "conclude_proceeding", {"proceeding_id": mediation, "outcome": "AGREEMENT_SIGNED",
                                                         "on": day(20)}, actor=STAFF)
    app.dispute_command(settled, "resolve", {"how": "调解协议履行完毕", "amount_recovered_cny": "12800",
                                             "on": day(10)}, actor=STAFF)
    app.dispute_command(settled, "close", {"reason": "RESOLVED", "on": day(10)}, actor=STAFF)
    for summary in ("咨询加班费计算方法", "反映工地拖欠农民工工资"):
        app.receive_complaint({"caller": {"phone": "13900139000"}, "category": "CONSULTATION", "summary": summary,
                               "street": "东湖街道"}, actor=STAFF)
    live_server.engine.follower().run_once()
    live_server.engine.deadline_clock().tick()


def test_hotline_call_to_dispute_to_hr_bureau_hidden_from_the_court_and_audited(live_server, caseload, page,
                                                                               artifacts):
    server = live_server

    # Sign-in: a page without a session goes to the sign-in page; a wrong password is told beside it.
    page.goto(f"{server.url}/ui/queue")
    expect(page).to_have_url(re.compile(r"/ui/login\?next="))
    expect(page.locator("h1")).to_have_text("登录")
    shot(page, artifacts, "01-login.png")
    page.fill("#f-username", "u-staff")
    page.fill("#f-password", "not the password")
    page.click("button[type=submit]")
    expect(error_beside(page, "password")).to_have_text("用户名或密码不正确。")
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/ui/queue$"))

    # A 12351 call: a bad phone number is refused beside the field and nothing is recorded.
    page.click("nav.mainnav >> text=登记工单")
    page.select_option('[name="category"]', "ASSISTANCE")
    page.fill('[name="summary"]', "反映恒达家具有限公司拖欠三个月工资")
    page.fill('[name="caller.name"]', "陈建国")
    page.fill('[name="caller.phone"]', "12345")
    page.fill('[name="subject_employer"]', "恒达家具有限公司")
    page.fill('[name="street"]', "城关街道")
    head = server.head()
    page.click("button.primary[type=submit]")
    refused_beside(page, "caller.phone", "请填写 11 位手机号码或带区号的固定电话。")
    assert server.head() == head
    page.fill('[name="caller.phone"]', "13800138000")
    page.click("button.primary[type=submit]")
    done(page, "登记工单")

    # Dispatch, sign for, then convert the ticket into a dispute (转立案).
    scope = open_action(page, "dispatch")
    field(page, "to_org", scope).fill("区总工会劳资纠纷调解中心")
    submit_action(page, scope)
    done(page, "派单")
    submit_action(page, open_action(page, "sign_for"))
    done(page, "签收")
    page.click("text=转立案 >> nth=0")
    expect(field(page, "claimants[0].person.name")).to_have_value("陈建国")
    expect(field(page, "respondents[0].organisation.name")).to_have_value("恒达家具有限公司")
    # The worker first came to the centre two days before the call: the case is received on that day.
    field(page, "received_on").fill((server.clock.today() - timedelta(days=2)).isoformat())
    field(page, "claimants[0].person.id_number").fill("110105194912310021")
    page.select_option('[name="claims[0].kind"]', "WAGE")
    field(page, "claims[0].amount_cny").fill("18600")
    head = server.head()
    page.click("button.primary[type=submit]")
    refused_beside(page, "claimants[0].person.id_number", "身份证号码无效（校验位不符）。")
    assert server.head() == head
    field(page, "claimants[0].person.id_number").fill("11010519491231002X")
    page.click("button.primary[type=submit]")
    done(page, "转立案")
    case_url = page.url.split("?")[0]
    case_number = page.locator("h1").inner_text()
    assert re.fullmatch(r"（\d{4}）区工调字第\d{4}号", case_number)

    # The caseworker takes the case: it is in "my cases" of the work queue.
    scope = open_action(page, "assign_caseworker")
    field(page, "caseworker", scope).fill("u-staff")
    submit_action(page, scope)
    done(page, "指定承办人")
    listed(page, f"{server.url}/ui/queue?tab=mine", case_number)
    expect(page.locator("table.list")).to_contain_text("¥18,600.00")
    shot(page, artifacts, "02-queue.png")

    # Hand it to the HR bureau's arbitration commission; a missing organisation name is refused first.
    page.goto(case_url)
    scope = open_action(page, "request_handoff")
    page.select_option(f'{scope} [name="kind"]', "ARBITRATION")
    page.select_option(f'{scope} [name="org_type"]', "ARBITRATION_COMMISSION")
    page.select_option(f'{scope} [name="reason"]', "PREVIOUS_TIER_FAILED")
    page.select_option(f'{scope} [name="dossier[0].doc_type"]', "APPLICATION")
    field(page, "dossier[0].title", scope).fill("劳动仲裁申请书")
    page.set_input_files(f'{scope} [data-sha256-for="f-dossier-0-sha256"]',
                         files=[{"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 demo"}])
    expect(field(page, "dossier[0].sha256", scope)).to_have_value(re.compile(r"^[0-9a-f]{64}$"))
    head = server.head()
    submit_action(page, scope)
    refused_beside(page, "org_name", "此项必填。", scope)
    assert server.head() == head
    field(page, "org_name", scope).fill("区劳动人事争议仲裁委员会")
    submit_action(page, scope)
    done(page, "移送协作单位")
    figure = page.locator("#diagram figure")
    expect(figure).to_have_attribute("data-current", "REQUESTED")
    expect(page.locator("#diagram svg.stage-diagram")).to_be_visible()
    expect(page.locator("ol.tiers li.tier-current")).to_have_text("仲裁")
    shot(page, artifacts, "03-case.png")
    sign_out(page)

    # The HR clerk sees it in the inbox and accepts it (the date of acceptance entered a day back).
    sign_in(page, server, "u-hr")
    expect(page).to_have_url(re.compile(r"/ui/inbox$"))
    listed(page, f"{server.url}/ui/inbox?tab=new", case_number)
    shot(page, artifacts, "04-inbox.png")
    page.click(f"text={case_number}")
    expect(page.locator(".person-name").first).to_have_text("陈建国")
    scope = open_action(page, "accept_handoff")
    head = server.head()
    submit_action(page, scope)
    refused_beside(page, "receiving_case_no", "此项必填。", scope)
    assert server.head() == head
    field(page, "receiving_case_no", scope).fill("（2026）区劳人仲案字第0007号")
    field(page, "assignee", scope).fill("仲裁员王敏")
    submit_action(page, scope)
    done(page, "受理")
    expect(page.locator("table.handoffs")).to_contain_text("已受理")
    sign_out(page)

    # The court clerk cannot open it: the same 404 page as for a case that does not exist.
    sign_in(page, server, "u-court")
    response = page.goto(case_url)
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("页面不存在")
    expect(page.locator("main")).to_contain_text("案件不存在，或您所在单位无权查看。")
    sign_out(page)

    # The auditor opens its history at an earlier version: masked, read-only, business date beside recording.
    sign_in(page, server, "u-auditor")
    page.goto(f"{case_url}/history")
    expect(page.locator("table.history")).to_contain_text("受理移送")
    expect(page.locator("table.history .back-dated-badge").first).to_have_text("补录")
    page.locator("#f-version").evaluate(
        "el => { el.value = '1'; el.dispatchEvent(new Event('input', {bubbles: true}));"
        " el.dispatchEvent(new Event('change', {bubbles: true})); }")
    expect(page.locator("#as-of")).to_have_attribute("data-version", "1")
    expect(page.locator("#as-of h2")).to_have_text("第 1 版时的案件状态")
    expect(page.locator("#as-of .as-of-no-handoffs")).to_be_visible()
    expect(page.locator("#as-of .person-name").first).to_have_text("陈**")
    assert page.locator("form[method=post][action*='/actions/']").count() == 0
    shot(page, artifacts, "05-history.png")
    page.goto(f"{case_url}/diff?from=1&to=3")
    expect(page.locator("table.diff")).to_contain_text("caseworker")
    expect(page.locator("table.diff")).to_contain_text("u-staff")

    # Dashboards: caseload and timeliness charts drawn on the server.
    page.goto(f"{server.url}/ui/dashboard")
    expect(page.locator("svg.chart")).to_have_count(5)
    expect(page.locator(".tiles")).to_contain_text("在办案件")
    shot(page, artifacts, "06-dashboard.png")


def test_dispute_intake_refuses_bad_input_beside_each_field_and_switches_to_english(live_server, page, artifacts):
    server = live_server
    sign_in(page, server, "u-staff")
    page.goto(f"{server.url}/ui/disputes/new")
    field(page, "claimants[0].person.name").fill("李小红")
    field(page, "claimants[0].person.phone").fill("1380013")
    field(page, "received_on").fill((server.clock.today() + timedelta(days=1)).isoformat())
    head = server.head()
    page.click("button.primary[type=submit]")
    # Required fields first, all at once; then the domain's own checks, one field at a time.
    expect(error_beside(page, "summary")).to_have_text("此项必填。")
    expect(error_beside(page, "respondents[0].organisation.name")).to_have_text("此项必填。")
    expect(error_beside(page, "claims[0].kind")).to_have_text("此项必填。")
    assert server.head() == head
    field(page, "summary").fill("加班费未按规定支付")
    field(page, "respondents[0].organisation.name").fill("顺达物流有限公司")
    page.select_option('[name="claims[0].kind"]', "OVERTIME")
    page.click("button.primary[type=submit]")
    expect(error_beside(page, "received_on")).to_have_text("不能晚于今天。")
    assert server.head() == head
    field(page, "received_on").fill("")
    page.click("button.primary[type=submit]")
    expect(error_beside(page, "claimants[0].person.phone")).to_have_text(
        "请填写 11 位手机号码或带区号的固定电话。")
    assert server.head() == head
    expect(field(page, "summary")).to_have_value("加班费未按规定支付")
    shot(page, artifacts, "07-intake-errors.png")

    page.click("text=English")
    expect(page.locator("h1")).to_have_text("Take a dispute in")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.click("text=中文")
    expect(page.locator("h1")).to_have_text("案件受理登记")


# --------------------------------------------------------------------------- keeping the case record


def registered(server: LiveServer, **changes: Any) -> str:
    """A dispute taken in today by the centre: one worker owed wages by one employer, unless ``changes``."""
    return server.engine.app.register_dispute({
        "summary": "拖欠工资", "workplace": {"street": "城关街道"},
        "claimants": [{"kind": "WORKER", "person": {"name": "周建华"}}],
        "respondents": [{"kind": "EMPLOYER", "organisation": {"name": "永利制衣有限公司"}}],
        "claims": [{"kind": "WAGE", "amount_cny": "18600"}], **changes}, actor=STAFF).id


def open_case(page: Any, server: LiveServer, dispute_id: str) -> None:
    sign_in(page, server, "u-staff")
    page.goto(f"{server.url}/ui/cases/{dispute_id}")


def tick(page: Any, scope: str, name: str, text: str) -> None:
    page.locator(f'{scope} label.check:has(input[name="{name}"])', has_text=text).locator("input").check()


def test_staff_raise_and_lower_risk_flags_with_a_reason_in_either_language(live_server, page):
    server = live_server
    open_case(page, server, registered(server, risk_flags=["MINOR"]))
    scope = open_action(page, "change_risk_flags")
    field(page, "reason", scope).fill("三十余名工人在厂门口聚集讨薪")
    head = server.head()
    submit_action(page, scope)
    refused_beside(page, "add", "内容没有变化。", scope)
    assert server.head() == head
    tick(page, scope, "add", "群体性事件风险")
    tick(page, scope, "remove", "未成年人")
    submit_action(page, scope)
    done(page, "调整风险标识")
    expect(page.locator(".facts .tag.risk")).to_have_text(["群体性事件风险"])
    page.click("text=English")
    scope = open_action(page, "change_risk_flags")
    expect(page.locator(f"{scope} .action-name")).to_have_text("Change risk flags")
    expect(page.locator(f"{scope} legend").first).to_have_text("Flags to raise")


def test_staff_amend_the_claims_withdrawing_one_and_adding_another(live_server, page):
    server = live_server
    open_case(page, server, registered(server))
    scope = open_action(page, "amend_claims")
    page.select_option(f'{scope} [name="add[0].kind"]', "OVERTIME")
    field(page, "add[0].amount_cny", scope).fill("3200.005")
    head = server.head()
    submit_action(page, scope)
    refused_beside(page, "add[0].amount_cny", "金额最多保留两位小数（分）。", scope)
    assert server.head() == head
    field(page, "add[0].amount_cny", scope).fill("3200")
    tick(page, scope, "remove", "拖欠工资 ¥18,600.00")
    submit_action(page, scope)
    done(page, "变更请求事项")
    claims = page.locator("section[aria-labelledby=h-claims] tbody")
    expect(claims).to_contain_text("加班费")
    expect(claims).to_contain_text("¥3,200.00")
    expect(claims).not_to_contain_text("拖欠工资")


def test_staff_add_a_claimant_after_intake(live_server, page):
    server = live_server
    open_case(page, server, registered(server))
    scope = "#action-add_party-claimant"
    page.locator(f"{scope} summary").click()
    expect(page.locator(f"{scope} summary")).to_contain_text("申请人")
    field(page, "party.person.name", scope).fill("李小红")
    field(page, "party.person.id_number", scope).fill("110105194912310021")
    head = server.head()
    submit_action(page, scope)
    refused_beside(page, "party.person.id_number", "身份证号码无效（校验位不符）。", scope)
    assert server.head() == head
    field(page, "party.person.id_number", scope).fill("11010519491231002X")
    submit_action(page, scope)
    done(page, "追加当事人")
    expect(page.locator("table.parties tbody tr")).to_have_count(3)
    expect(page.locator("table.parties")).to_contain_text("李小红")


def test_a_collective_disputes_claimants_elect_their_representatives(live_server, page):
    server = live_server
    workers = ["郑一", "郑二", "郑三", "郑四"]
    open_case(page, server, registered(
        server, case_types=["COLLECTIVE_CONTRACT_PERFORMANCE"],
        claimants=[{"kind": "WORKER", "person": {"name": name}} for name in workers]))
    scope = open_action(page, "elect_representatives")
    page.select_option(f'{scope} [name="scope"]', "ARBITRATION")
    tick(page, scope, "party_ids", "郑一")
    tick(page, scope, "party_ids", "郑二")
    head = server.head()
    submit_action(page, scope)
    refused_beside(page, "party_ids", "请推选 3 至 5 名代表人。", scope)
    assert server.head() == head
    tick(page, scope, "party_ids", "郑三")
    submit_action(page, scope)
    done(page, "推选代表人")
    expect(page.locator("table.parties .badge.representative")).to_have_count(3)
    expect(page.locator("table.parties .badge.representative").first).to_have_text("代表人（仲裁）")


def test_staff_record_an_approved_extension_of_the_award_period(live_server, page, artifacts):
    server = live_server
    app = server.engine.app
    dispute_id = registered(server)
    handoff = app.dispute_command(dispute_id, "request_handoff", {
        "kind": "ARBITRATION", "org_type": "ARBITRATION_COMMISSION", "org_name": "区劳动人事争议仲裁委员会",
        "reason": "PARTY_APPLICATION", "dossier": [{
            "doc_type": "APPLICATION", "title": "仲裁申请书", "sha256": hashlib.sha256(b"b").hexdigest()}]},
        actor=STAFF).data["handoff_id"]
    app.dispute_command(dispute_id, "accept_handoff", {"handoff_id": handoff,
                                                       "receiving_case_no": "（2026）区劳人仲案字第0011号"}, actor=HR)
    open_case(page, server, dispute_id)
    due = page.locator('tr[data-rule="A8"] td:nth-child(5) strong')
    first_due = due.inner_text()
    scope = open_action(page, "extend_deadline")
    expect(page.locator(f"{scope} .extension-terms")).to_contain_text("最多还可延长 15日。")
    field(page, "extension", scope).fill("16")
    field(page, "approver", scope).fill("仲裁委员会主任张明")
    head = server.head()
    submit_action(page, scope)
    refused_beside(page, "extension", "该期限合计最多可延长 15 日（本次延长后合计 16 日）。", scope)
    assert server.head() == head
    shot(page, artifacts, "08-extend-deadline.png")
    field(page, "extension", scope).fill("15")
    submit_action(page, scope)
    done(page, "延长期限")
    expect(due).not_to_have_text(first_due)
    expect(page.locator('[data-command="extend_deadline"]')).to_have_count(0)


def test_a_duplicate_ticket_is_merged_into_the_one_that_carries_the_matter(live_server, page):
    server = live_server
    app = server.engine.app
    caller = {"caller": {"phone": "13700137000"}, "category": "ASSISTANCE", "street": "城关街道"}
    carrier = app.receive_complaint({**caller, "summary": "反映工地拖欠工资"}, actor=STAFF)
    duplicate = app.receive_complaint({**caller, "summary": "再次来电反映工地拖欠工资"}, actor=STAFF)
    sign_in(page, server, "u-staff")
    listed(page, f"{server.url}/ui/tickets?tab=all", carrier.data["ticket_no"])
    page.goto(f"{server.url}/ui/complaints/{duplicate.id}")
    scope = open_action(page, "merge")
    field(page, "into", scope).fill("12351-1999-000001")
    head = server.head()
    submit_action(page, scope)
    refused_beside(page, "into", "没有此工单号的工单。", scope)
    assert server.head() == head
    field(page, "into", scope).fill(carrier.data["ticket_no"])
    submit_action(page, scope)
    done(page, "合并工单")
    expect(page.locator(".case-meta .badge").first).to_have_text("已合并")
    page.click("a.merged-into")
    expect(page.locator("h1")).to_have_text(carrier.data["ticket_no"])
