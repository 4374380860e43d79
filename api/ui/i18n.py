"""The UI's one message catalogue: a dict per language, keys in English; dates, money and languages.

Every string a page shows comes from :data:`CATALOGUE` through :func:`translate`. Two kinds of key:

* sentences of the interface, keyed by their English text (``"Sign in"``); they may carry
  ``str.format`` fields (``"{count} cases"``);
* domain codes, keyed ``"<namespace>.<CODE>"`` (``"claim.WAGE"``, ``"handoff.RECEIVED"``); their
  English labels default to the code spelled out (``"Wage"``) unless given here.

Simplified Chinese is the default; English is chosen by the ``de_lang`` cookie or, without it, by
``Accept-Language``. Domain errors arrive in English (``InvalidInput.reason``); :func:`error_text`
turns the known ones into catalogue sentences, and shows any other one after a translated prefix.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
LANGUAGE_COOKIE = "de_lang"
LOCAL_ZONE = ZoneInfo("Asia/Shanghai")

# --------------------------------------------------------------------------- interface sentences
# English key → (Simplified Chinese, English)

_SENTENCES: dict[str, tuple[str, str]] = {
    # frame
    "Labour-dispute resolution": ("劳动争议多元化解平台", "Labour-dispute resolution"),
    "District trade-union federation": ("区总工会 · 劳资纠纷快处快结调解中心", "District trade-union federation"),
    "Skip to content": ("跳到正文", "Skip to content"),
    "Main navigation": ("主导航", "Main navigation"),
    "Signed in as {user} ({role})": ("当前用户：{user}（{role}）", "Signed in as {user} ({role})"),
    "Sign out": ("退出登录", "Sign out"),
    "Language": ("语言", "Language"),
    "中文": ("中文", "中文"),
    "English": ("English", "English"),
    "Home": ("首页", "Home"),
    "Work queue": ("工作台", "Work queue"),
    "12351 tickets": ("12351 工单", "12351 tickets"),
    "New dispute": ("登记案件", "New dispute"),
    "New 12351 ticket": ("登记工单", "New 12351 ticket"),
    "Inbox": ("移送收件箱", "Inbox"),
    "Cases": ("案件", "Cases"),
    "Case history": ("案件历史", "Case history"),
    "Dashboards": ("统计分析", "Dashboards"),
    "Audit": ("审计查阅", "Audit"),
    "Personal data masked for your role": ("根据您的角色，个人信息已脱敏显示", "Personal data masked for your role"),
    "Read-only": ("只读", "Read-only"),
    "Done: {what}": ("已完成：{what}", "Done: {what}"),
    "The lists are being built; refresh in a moment.": (
        "列表正在生成，请稍后刷新。", "The lists are being built; refresh in a moment."),
    "Nothing here.": ("暂无记录。", "Nothing here."),
    "Next page": ("下一页", "Next page"),
    "{count} in all": ("共 {count} 条", "{count} in all"),
    "Open": ("打开", "Open"),
    "Back": ("返回", "Back"),
    "Cancel": ("取消", "Cancel"),
    "Show": ("显示", "Show"),
    "Yes": ("是", "Yes"),
    "No": ("否", "No"),
    "—": ("—", "—"),
    ": ": ("：", ": "),
    "; ": ("；", "; "),
    ", ": ("，", ", "),
    "“{title}”": ("《{title}》", " “{title}”"),
    "required": ("必填", "required"),
    "Fields marked * are required.": ("带 * 的为必填项。", "Fields marked * are required."),
    "Please correct the fields marked below; nothing was recorded.": (
        "请更正下方标出的内容；本次未记录任何信息。", "Please correct the fields marked below; nothing was recorded."),
    # errors and status pages
    "Page not found": ("页面不存在", "Page not found"),
    "No such case, or it is not visible to your agency.": (
        "案件不存在，或您所在单位无权查看。", "No such case, or it is not visible to your agency."),
    "Not allowed": ("无权操作", "Not allowed"),
    "Your role may not open this page.": ("您的角色无权访问此页面。", "Your role may not open this page."),
    "The form has expired or did not come from this site. Reload the page and try again.": (
        "表单已过期或来源无效，请刷新页面后重试。",
        "The form has expired or did not come from this site. Reload the page and try again."),
    "Please sign in": ("请先登录", "Please sign in"),
    "Your session has ended. Please sign in again.": ("登录已失效，请重新登录。", "Your session has ended. Please sign in again."),
    "Something went wrong": ("系统出错", "Something went wrong"),
    "The request failed; nothing was recorded.": ("请求未能完成，未记录任何信息。", "The request failed; nothing was recorded."),
    "Go to the home page": ("返回首页", "Go to the home page"),
    "Invalid request": ("请求参数有误", "Invalid request"),
    "The address has a value this page cannot read; nothing was recorded.": (
        "页面地址中有无法识别的参数值，未记录任何信息。",
        "The address has a value this page cannot read; nothing was recorded."),
    "The case changed since you opened it (now version {current}). Reload it and try again.": (
        "您打开页面后案件已被他人更新（当前第 {current} 版），请刷新后重试。",
        "The case changed since you opened it (now version {current}). Reload it and try again."),
    "Not allowed now: {state}.": ("当前状态下不能执行此操作（当前：{state}）。", "Not allowed now: {state}."),
    "Not allowed now.": ("当前状态下不能执行此操作。", "Not allowed now."),
    "Refused by the route rule: {rule}": ("程序规则不允许：{rule}", "Refused by the route rule: {rule}"),
    "Legal basis: {article}": ("依据：{article}", "Legal basis: {article}"),
    "Staff may proceed by giving an override reason; it is recorded for the auditors.": (
        "工作人员可填写越过规则的理由后继续办理，该理由将记录在案供审计查阅。",
        "Staff may proceed by giving an override reason; it is recorded for the auditors."),
    # login
    "Sign in": ("登录", "Sign in"),
    "User name": ("用户名", "User name"),
    "Password": ("密码", "Password"),
    "Incorrect user name or password.": ("用户名或密码不正确。", "Incorrect user name or password."),
    "Too many failed sign-ins; try again in {seconds} seconds.": (
        "登录失败次数过多，请 {seconds} 秒后再试。", "Too many failed sign-ins; try again in {seconds} seconds."),
    "For staff of the mediation centre, the court, the justice bureau, the HR bureau and auditors.": (
        "供调解中心工作人员及法院、司法局、人社局协作单位和审计人员使用。",
        "For staff of the mediation centre, the court, the justice bureau, the HR bureau and auditors."),
    "Administrators manage accounts with the dispute-engine users command; there are no pages for that role.": (
        "系统管理员通过 dispute-engine users 命令管理账户，该角色没有业务页面。",
        "Administrators manage accounts with the dispute-engine users command; there are no pages for that role."),
    # work queue
    "My cases": ("我承办的", "My cases"),
    "Due soon": ("临期", "Due soon"),
    "Overdue": ("超期", "Overdue"),
    "All open": ("全部在办", "All open"),
    "Case number": ("案号", "Case number"),
    "Received": ("受理日期", "Received"),
    "Status": ("状态", "Status"),
    "Now with": ("当前承办单位", "Now with"),
    "Respondents": ("被申请人", "Respondents"),
    "Claimants": ("申请人", "Claimants"),
    "Claimed": ("请求金额", "Claimed"),
    "Lights": ("红黄灯", "Lights"),
    "Caseworker": ("承办人", "Caseworker"),
    "{count} overdue": ("{count} 项超期", "{count} overdue"),
    "{count} due soon": ("{count} 项临期", "{count} due soon"),
    "on time": ("正常", "on time"),
    "Search case number or employer": ("搜索案号或用人单位", "Search case number or employer"),
    "Search": ("搜索", "Search"),
    # tickets
    "Ticket number": ("工单号", "Ticket number"),
    "Category": ("类别", "Category"),
    "Channel": ("来源渠道", "Channel"),
    "Urgency": ("紧急程度", "Urgency"),
    "Complexity": ("办理难度", "Complexity"),
    "State": ("状态", "State"),
    "Handling unit": ("承办单位", "Handling unit"),
    "Employer": ("涉及用人单位", "Employer"),
    "Street": ("街道", "Street"),
    "Escalated": ("已督办", "Escalated"),
    "Caller": ("来电人", "Caller"),
    "Anonymous": ("匿名", "Anonymous"),
    "Union member": ("工会会员", "Union member"),
    "After hours": ("非工作时间来电", "After hours"),
    "Workers affected": ("涉及人数", "Workers affected"),
    "Amount (CNY)": ("涉及金额（元）", "Amount (CNY)"),
    "Summary": ("事项摘要", "Summary"),
    "Received at": ("接收时间", "Received at"),
    "Converted to dispute": ("已转立案", "Converted to dispute"),
    "Convert to a dispute": ("转立案", "Convert to a dispute"),
    "Ticket": ("工单", "Ticket"),
    "Take a 12351 call or message": ("登记 12351 来电或留言", "Take a 12351 call or message"),
    "Register the ticket": ("登记工单", "Register the ticket"),
    "No personal data in the summary: names and numbers go in the fields for them.": (
        "摘要中请勿填写姓名、证件号等个人信息，请填入对应栏目。",
        "No personal data in the summary: names and numbers go in the fields for them."),
    # dispute intake
    "Take a dispute in": ("案件受理登记", "Take a dispute in"),
    "Register the dispute": ("登记受理", "Register the dispute"),
    "The case": ("案件情况", "The case"),
    "Claimant": ("申请人", "Claimant"),
    "Claimant {n}": ("申请人 {n}", "Claimant {n}"),
    "Respondent": ("被申请人", "Respondent"),
    "Respondent {n}": ("被申请人 {n}", "Respondent {n}"),
    "Claim {n}": ("请求事项 {n}", "Claim {n}"),
    "Claims": ("请求事项", "Claims"),
    "Leave a row empty to skip it.": ("不需要的行留空即可。", "Leave a row empty to skip it."),
    "Workplace and employment": ("工作地点与劳动关系", "Workplace and employment"),
    "Origin": ("来源", "Origin"),
    "Received on": ("受理日期", "Received on"),
    "Case types": ("案件类型", "Case types"),
    "Risk flags": ("风险标识", "Risk flags"),
    "Kind": ("类型", "Kind"),
    "Name": ("姓名", "Name"),
    "ID number": ("身份证号", "ID number"),
    "Phone": ("联系电话", "Phone"),
    "Monthly wage (CNY)": ("月工资（元）", "Monthly wage (CNY)"),
    "Migrant worker": ("农民工", "Migrant worker"),
    "Employment form": ("用工形式", "Employment form"),
    "Organisation name": ("单位名称", "Organisation name"),
    "Unified social credit code": ("统一社会信用代码", "Unified social credit code"),
    "Address": ("地址", "Address"),
    "Amount claimed (CNY)": ("请求金额（元）", "Amount claimed (CNY)"),
    "Period from": ("期间自", "Period from"),
    "Period to": ("期间至", "Period to"),
    "Industry": ("行业", "Industry"),
    "Employed from": ("入职日期", "Employed from"),
    "Employed until": ("离职日期", "Employed until"),
    "Default: today": ("默认为今天", "Default: today"),
    "The dispute the ticket becomes": ("转立案：登记案件", "The dispute the ticket becomes"),
    "Summary and received date default to the ticket's.": (
        "摘要和受理日期默认沿用工单内容。", "Summary and received date default to the ticket's."),
    # case page
    "Case": ("案件", "Case"),
    "Parties": ("当事人", "Parties"),
    "Proceedings": ("程序", "Proceedings"),
    "Handoffs": ("移送", "Handoffs"),
    "Deadlines": ("期限", "Deadlines"),
    "Next actions": ("可办理事项", "Next actions"),
    "Timeline": ("办理经过", "Timeline"),
    "Stage diagram": ("阶段流程图", "Stage diagram"),
    "Tiers": ("化解层级", "Tiers"),
    "Version {version}": ("第 {version} 版", "Version {version}"),
    "Stage": ("阶段", "Stage"),
    "Collective dispute": ("集体争议", "Collective dispute"),
    "Hotline tickets": ("关联工单", "Hotline tickets"),
    "Organisation": ("机构", "Organisation"),
    "Agency": ("单位", "Agency"),
    "Applicant": ("申请方", "Applicant"),
    "Outcome": ("结果", "Outcome"),
    "Their case number": ("受理案号", "Their case number"),
    "From": ("移送单位", "From"),
    "To": ("接收单位", "To"),
    "Reason": ("原因", "Reason"),
    "Requested on": ("移送日期", "Requested on"),
    "Missing": ("需补正材料", "Missing"),
    "Dossier": ("移送材料", "Dossier"),
    "Rejection": ("不予受理", "Rejection"),
    "Rule": ("规则", "Rule"),
    "Step": ("事项", "Step"),
    "Starts": ("起算日", "Starts"),
    "Due": ("届满日", "Due"),
    "Light": ("灯", "Light"),
    "Article": ("依据条文", "Article"),
    "unverified: check before go-live": ("未核实：上线前须核对", "unverified: check before go-live"),
    "provisional": ("暂定", "provisional"),
    "No actions are open to you on this case now.": ("您当前无可办理事项。", "No actions are open to you on this case now."),
    "Diagram of": ("流程图对象", "Diagram of"),
    "The dispute": ("案件整体", "The dispute"),
    "Proceeding: {kind} ({state})": ("程序：{kind}（{state}）", "Proceeding: {kind} ({state})"),
    "Handoff to {agency} ({state})": ("移送{agency}（{state}）", "Handoff to {agency} ({state})"),
    "Current state highlighted": ("当前状态已高亮显示", "Current state highlighted"),
    "Diagram drawn without graphviz (dot is not installed).": (
        "未安装 graphviz（dot），以简化方式绘制流程图。", "Diagram drawn without graphviz (dot is not installed)."),
    "Suggested next tier: {tiers}": ("建议下一环节：{tiers}", "Suggested next tier: {tiers}"),
    "who": ("操作人", "who"),
    "Recorded": ("记录时间", "Recorded"),
    "Business date": ("业务日期", "Business date"),
    "back-dated": ("补录", "back-dated"),
    "Details": ("详情", "Details"),
    "Open its history": ("查看历史", "Open its history"),
    "for": ("针对", "for"),
    # actions
    "Document {n}": ("材料 {n}", "Document {n}"),
    "Title": ("标题", "Title"),
    "SHA-256 of the file": ("文件 SHA-256 摘要", "SHA-256 of the file"),
    "Choose a file to fill in its SHA-256 (it is computed on this computer; nothing is uploaded).": (
        "选择文件即可自动计算其 SHA-256（在本机计算，不会上传文件）。",
        "Choose a file to fill in its SHA-256 (it is computed on this computer; nothing is uploaded)."),
    "One item per line": ("每行一项", "One item per line"),
    "Flags to raise": ("增加风险标识", "Flags to raise"),
    "Flags to lower": ("取消风险标识", "Flags to lower"),
    "Claims to withdraw": ("撤回的请求事项", "Claims to withdraw"),
    "Claim to add {n}": ("新增请求事项 {n}", "Claim to add {n}"),
    "Who approved the extension, with their office.": ("批准延长的人员及其职务。", "Who approved the extension, with their office."),
    "{rule} {step}, due {due}": ("{rule} {step}（{due}届满）", "{rule} {step}, due {due}"),
    "At most {room} {unit} more.": ("最多还可延长 {room}{unit}。", "At most {room} {unit} more."),
    "Counted in {unit}; the law sets no cap.": ("以{unit}计，法律未规定延长上限。", "Counted in {unit}; the law sets no cap."),
    "Approved by: {approver}": ("批准：{approver}", "Approved by: {approver}"),
    "Representative: {scope}": ("代表人（{scope}）", "Representative ({scope})"),
    "The ticket number of the ticket that carries the matter.": (
        "承办该事项的工单的工单号。", "The ticket number of the ticket that carries the matter."),
    "Merged into the ticket that carries the matter": ("已并入承办工单", "Merged into the ticket that carries the matter"),
    # audit
    "Cases to audit": ("案件审计", "Cases to audit"),
    "History": ("历史记录", "History"),
    "State as of version {version}": ("第 {version} 版时的案件状态", "State as of version {version}"),
    "Version": ("版本", "Version"),
    "Show the state as of this version": ("显示该版本时的状态", "Show the state as of this version"),
    "As recorded at": ("按记录时间查看", "As recorded at"),
    "Compare versions": ("版本比较", "Compare versions"),
    "Compare": ("比较", "Compare"),
    "from version": ("自第", "from version"),
    "to version": ("至第", "to version"),
    "What changed": ("变更内容", "What changed"),
    "Field": ("字段", "Field"),
    "Before": ("变更前", "Before"),
    "After": ("变更后", "After"),
    "The events that changed it": ("导致变更的事件", "The events that changed it"),
    "Why": ("理由", "Why"),
    "No changes.": ("无变更。", "No changes."),
    "Event": ("事件", "Event"),
    "By": ("操作人", "By"),
    "{count} events": ("共 {count} 个事件", "{count} events"),
    "Business dates earlier than the day they were recorded are marked back-dated.": (
        "业务日期早于记录日期的事件标记为“补录”。",
        "Business dates earlier than the day they were recorded are marked back-dated."),
    # partner inbox
    "Handoffs to {agency}": ("移送至{agency}的案件", "Handoffs to {agency}"),
    "New": ("新收到", "New"),
    "Returned": ("已退回补正", "Returned"),
    "All": ("全部", "All"),
    "Acceptance due": ("受理期限", "Acceptance due"),
    "For": ("承办机构", "For"),
    # dashboards
    "From month": ("起始月份", "From month"),
    "To month": ("截止月份", "To month"),
    "Case type": ("案件类型", "Case type"),
    "Any": ("不限", "Any"),
    "Apply": ("筛选", "Apply"),
    "Still open": ("仍在办理", "Still open"),
    "Overdue (red)": ("超期（红灯）", "Overdue (red)"),
    "Due soon (yellow)": ("临期（黄灯）", "Due soon (yellow)"),
    "No data for these filters.": ("所选条件下暂无数据。", "No data for these filters."),
    "Not assigned": ("未分配", "Not assigned"),
    "Not recorded": ("未登记", "Not recorded"),
    "{year}-{month:02d}": ("{year}年{month}月", "{year}-{month:02d}"),
    "Closed": ("已结", "Closed"),
    "Disputes": ("劳动争议案件", "Disputes"),
    "Intake per week": ("每周受理量", "Intake per week"),
    "Disputes by tier": ("案件所处层级", "Disputes by tier"),
    "Disputes by agency": ("案件所在单位", "Disputes by agency"),
    "On time": ("按期", "On time"),
    "Met late": ("逾期完成", "Met late"),
    "Running": ("计时中", "Running"),
    "Deadlines kept, by rule": ("各类期限执行情况", "Deadlines kept, by rule"),
    "Open disputes": ("在办案件", "Open disputes"),
    "Closed disputes": ("已结案件", "Closed disputes"),
    "Open 12351 tickets": ("在办工单", "Open 12351 tickets"),
    "Mediation success rate": ("调解成功率", "Mediation success rate"),
    "12351 replies on time": ("工单按期答复率", "12351 replies on time"),
    "Amount recovered": ("追回金额", "Amount recovered"),
    "Amounts recovered per month (CNY)": ("每月追回金额（元）", "Amounts recovered per month (CNY)"),
}

# --------------------------------------------------------------------------- domain codes (zh)

_CODES_ZH: dict[str, dict[str, str]] = {
    "status": {
        "INTAKE": "登记受理", "IN_NEGOTIATION": "协商中", "IN_MEDIATION": "调解中",
        "AGREEMENT_FOLLOW_UP": "协议履行跟进", "IN_ARBITRATION": "仲裁中", "AWAITING_CHALLENGE": "裁决起诉期内",
        "IN_LITIGATION": "诉讼中", "IN_APPEAL": "二审中", "IN_ENFORCEMENT": "执行中", "RESOLVED": "已化解",
        "CLOSED": "已结案", "OPEN": "办理中",
    },
    "tier": {
        "NEGOTIATION": "协商", "MEDIATION": "调解", "ARBITRATION": "仲裁", "LITIGATION": "诉讼",
        "ADMINISTRATIVE": "行政程序", "INTAKE": "受理", "END": "化解结案",
    },
    "dispute": {"OPEN": "办理中", "RESOLVED": "已化解", "CLOSED": "已结案"},
    "proceeding": {
        "REQUESTED": "已申请（待受理）", "AWAITING_SUPPLEMENT": "待补正", "ACTIVE": "办理中", "SUSPENDED": "中止",
        "REJECTED": "不予受理", "DECLINED": "当事人拒绝调解", "ACCEPTANCE_OVERDUE": "逾期未受理",
        "CONCLUDED": "已结案", "WITHDRAWN": "已撤回", "LAPSED": "期满未结",
    },
    "handoff": {
        "REQUESTED": "已移送（待签收）", "RECEIVED": "已签收", "RETURNED": "已退回补正", "ACCEPTED": "已受理",
        "REJECTED": "不予受理", "WITHDRAWN": "已撤回",
    },
    "complaint": {
        "RECEIVED": "已接收", "REGISTERED": "已登记", "ANSWERED": "已当场解答", "DISPATCHED": "已派单",
        "IN_HANDLING": "办理中", "REPLIED": "已回复", "AWAITING_CALLBACK": "待回访", "REOPENED": "重新办理",
        "CLOSED": "已办结", "MERGED": "已合并",
    },
    "trigger.dispute": {"resolve": "化解", "close": "结案", "reopen": "重新开启"},
    "trigger.proceeding": {
        "return_for_supplement": "退回补正", "resubmit": "补正后提交", "accept": "受理", "reject": "不予受理",
        "decline_by_party": "当事人拒绝", "mark_acceptance_overdue": "逾期未受理（计时）", "suspend": "中止",
        "resume": "恢复", "conclude": "结案", "withdraw": "撤回", "lapse": "期满（计时）",
    },
    "trigger.handoff": {
        "receive": "签收", "return_for_supplement": "退回补正", "resubmit": "补正后重新移送", "accept": "受理",
        "reject": "不予受理", "withdraw": "撤回移送",
    },
    "trigger.complaint": {
        "register": "登记", "answer_on_call": "当场解答", "close": "办结", "dispatch": "派单", "sign_for": "签收",
        "return_by_unit": "退单", "request_extension": "申请延期", "decide_extension": "延期审批",
        "add_handling_note": "办理记录", "convert_to_dispute": "转立案", "refer_out": "转办",
        "submit_reply": "提交回复", "pass_quality_check": "质检通过", "fail_quality_check": "质检不通过",
        "complete_callback_closed": "回访后办结", "complete_callback_reopened": "回访后重办", "merge": "合并",
        "escalate": "督办",
    },
    "kind": {
        "NEGOTIATION": "协商", "MEDIATION": "调解", "ARBITRAL_REVIEW": "仲裁审查", "JUDICIAL_CONFIRMATION": "司法确认",
        "PAYMENT_ORDER": "支付令", "ARBITRATION": "劳动人事争议仲裁", "AWARD_REVOCATION": "撤销仲裁裁决",
        "PRE_LITIGATION_MEDIATION": "诉前调解", "LITIGATION_FIRST": "一审诉讼", "APPEAL": "二审（上诉）",
        "ENFORCEMENT": "强制执行", "LABOUR_INSPECTION": "劳动保障监察", "WORK_INJURY_DETERMINATION": "工伤认定",
        "LEGAL_AID": "法律援助",
    },
    "org_type": {
        "ENTERPRISE_MEDIATION_COMMITTEE": "企业劳动争议调解委员会", "UNION_MEDIATION_CENTRE": "工会劳资纠纷调解中心",
        "UNION_LEGAL_AID_STATION": "工会法律援助工作站", "UNION_AT_COURT_STATION": "工会驻法院调解工作室",
        "UNION_NEGOTIATION_ASSIST": "工会协助协商", "PEOPLES_MEDIATION_COMMITTEE": "人民调解委员会",
        "LEGAL_AID_CENTRE": "法律援助中心", "TOWNSHIP_STREET_LABOUR_MEDIATION": "乡镇（街道）劳动争议调解组织",
        "ARBITRATION_COMMISSION": "劳动人事争议仲裁委员会", "ARBITRATION_MEDIATION_CENTRE": "仲裁院调解中心",
        "LABOUR_INSPECTION": "劳动保障监察机构", "SOCIAL_INSURANCE_ADMIN": "社会保险行政部门",
        "BASIC_COURT": "基层人民法院", "INTERMEDIATE_COURT": "中级人民法院", "PARTIES": "当事人自行协商",
    },
    "outcome": {
        "AGREEMENT": "达成调解协议", "AGREEMENT_SIGNED": "签订调解协议", "ARB_MEDIATION_STATEMENT": "仲裁调解书",
        "AWARD_FINAL": "终局裁决", "AWARD_MIXED": "部分终局裁决", "AWARD_NON_FINAL": "非终局裁决",
        "CASE_CLOSED": "监察结案", "CONFIRMED_VALID": "确认有效", "COURT_MEDIATION_STATEMENT": "法院调解书",
        "DEEMED_WITHDRAWN": "按撤回申请处理", "DEFAULT_AWARD": "缺席裁决", "DETERMINED_INJURY": "认定为工伤",
        "DISMISSED": "驳回", "FAILED": "调解不成", "FINAL_JUDGMENT": "终审判决", "GRANTED": "给予援助",
        "JUDGMENT": "一审判决", "MEDIATION_STATEMENT_ISSUED": "出具调解书", "NOT_ACCEPTED": "不予受理",
        "NOT_INJURY": "不予认定工伤", "NO_RESPONSE": "对方未回应", "OBJECTION_UPHELD": "异议成立",
        "ORDER_ENFORCEABLE": "支付令生效", "ORDER_ISSUED_PAID": "支付令已履行", "ORDER_TO_PAY": "责令支付",
        "PENALTY": "行政处罚", "REFERRED_TO_DISPUTE_CHANNEL": "转争议处理渠道", "REFERRED_TO_POLICE": "移送公安机关",
        "REFUSED": "不予准许", "REMANDED": "发回重审", "REVOKED": "撤销裁决", "RULED_INVALID": "裁定无效",
        "SATISFIED": "执行完毕", "SETTLED": "达成和解", "TERMINATED": "终结执行", "NON_ACCEPTED": "不予受理",
        "WITHDRAWN": "撤回", "DECLINED_BY_PARTY": "当事人拒绝调解", "LAPSED_15D": "期满未结（视为调解不成）",
        "ACCEPTANCE_OVERDUE": "逾期未受理",
    },
    "claim": {
        "WAGE": "拖欠工资", "OVERTIME": "加班费", "MIN_WAGE_GAP": "最低工资差额", "SEVERANCE": "经济补偿",
        "DOUBLE_WAGE": "未签劳动合同二倍工资", "ILLEGAL_TERMINATION_DAMAGES": "违法解除赔偿金",
        "SOCIAL_INSURANCE": "社会保险", "INJURY_MEDICAL": "工伤医疗费", "INJURY_BENEFITS": "工伤保险待遇",
        "LEAVE": "带薪年休假工资", "CONFIRM_RELATION": "确认劳动关系", "OTHER": "其他",
    },
    "case_type": {
        "INDIVIDUAL": "个体争议", "COLLECTIVE_COMMON_CLAIM": "集体争议（共同请求）",
        "COLLECTIVE_CONTRACT_PERFORMANCE": "集体合同履行争议", "COLLECTIVE_NEGOTIATION_INTEREST": "集体协商争议",
        "WAGE_ARREARS": "欠薪", "WAGE_ARREARS_CONSTRUCTION": "工程建设领域欠薪", "WORK_INJURY": "工伤",
        "OCCUPATIONAL_DISEASE": "职业病", "NEW_EMPLOYMENT_FORM": "新就业形态", "DISPATCH": "劳务派遣",
        "TERMINATION": "解除或终止劳动合同", "SOCIAL_INSURANCE": "社会保险", "CONFIRM_RELATION": "确认劳动关系",
        "PERSONNEL": "人事争议",
    },
    "risk": {
        "GROUP_INCIDENT_RISK": "群体性事件风险", "EXTREME_BEHAVIOUR_RISK": "极端行为风险", "MEDIA_ATTENTION": "舆情关注",
        "EMPLOYER_ABSCONDED": "用人单位负责人逃匿", "CRIMINAL_REFUSAL_TO_PAY": "涉嫌拒不支付劳动报酬",
        "MINOR": "未成年人", "PREGNANT": "孕期女职工", "DISABILITY": "残疾职工",
    },
    "origin": {
        "WALK_IN": "来访", "HOTLINE": "12351 热线", "ONLINE": "网上申请", "COURT_REFERRAL": "法院委派",
        "PETITION_REFERRAL": "信访转来", "INSPECTION_REFERRAL": "劳动监察转来", "UNION_OUTREACH": "工会主动排查",
    },
    "claimant_kind": {"WORKER": "劳动者", "UNION": "工会", "HEIRS": "近亲属"},
    "respondent_kind": {
        "EMPLOYER": "用人单位", "DISPATCH_AGENCY": "劳务派遣单位", "USER_UNIT": "用工单位", "PLATFORM": "平台企业",
        "PLATFORM_PARTNER": "平台合作用工企业", "GENERAL_CONTRACTOR": "施工总承包单位",
        "INDIVIDUAL_CONTRACTOR": "个人承包经营者", "INVESTOR": "出资人",
    },
    "employment_form": {
        "STANDARD": "全日制用工", "DISPATCHED": "劳务派遣", "PART_TIME": "非全日制用工",
        "NEW_FORM_LABOUR_RELATION": "新就业形态（劳动关系）", "NEW_FORM_INCOMPLETE": "新就业形态（不完全劳动关系）",
        "NEW_FORM_SELF_EMPLOYED": "新就业形态（依托平台自主经营）", "UNKNOWN": "未确定",
    },
    "side": {"WORKER": "劳动者方", "EMPLOYER": "用人单位方", "BOTH": "双方共同", "UNION": "工会"},
    "doc": {
        "APPLICATION": "申请书", "ORAL_APPLICATION_RECORD": "口头申请笔录", "ID_PROOF": "身份证明",
        "EMPLOYER_REGISTRATION": "用人单位登记信息", "EMPLOYMENT_EVIDENCE": "劳动关系证据", "EVIDENCE_LIST": "证据目录",
        "POWER_OF_ATTORNEY": "授权委托书", "REPRESENTATIVE_ELECTION_RECORD": "代表人推选记录",
        "SETTLEMENT_AGREEMENT": "和解协议", "MEDIATION_REGISTRATION": "调解登记表", "MEDIATION_WORK_RECORD": "调解笔录",
        "MEDIATION_AGREEMENT": "调解协议书", "MEDIATION_TERMINATION_NOTICE": "终止调解告知书",
        "ARB_RECEIPT": "仲裁申请收件回执", "ARB_SUPPLEMENT_NOTICE": "补正通知书", "ARB_ACCEPTANCE_NOTICE": "受理通知书",
        "ARB_NON_ACCEPTANCE_NOTICE": "不予受理通知书", "ARB_MEDIATION_STATEMENT": "仲裁调解书",
        "ARB_AWARD_FINAL": "终局裁决书", "ARB_AWARD_NON_FINAL": "非终局裁决书", "ARB_OVERDUE_PROOF": "逾期未裁决证明",
        "ARB_REVIEW_MEDIATION_STATEMENT": "仲裁审查调解书", "SERVICE_RECEIPT": "送达回证", "COMPLAINT": "起诉状",
        "COURT_RULING": "裁定书", "JUDGMENT": "判决书", "COURT_MEDIATION_STATEMENT": "民事调解书",
        "JUDICIAL_CONFIRMATION_RULING": "司法确认裁定书", "PAYMENT_ORDER": "支付令",
        "ENFORCEMENT_APPLICATION": "强制执行申请书", "INSPECTION_COMPLAINT": "劳动保障监察投诉书",
        "INSPECTION_DECISION": "监察处理决定书", "WORK_INJURY_DECISION": "工伤认定决定书",
        "DISABILITY_CONCLUSION": "劳动能力鉴定结论", "LEGAL_AID_DECISION": "法律援助决定书",
        "LEGAL_AID_ASSIGNMENT": "法律援助指派通知", "PETITION_ANSWER": "信访答复意见", "HOTLINE_TICKET": "12351 工单",
    },
    "method": {
        "DIRECT": "直接送达", "POST": "邮寄送达", "ELECTRONIC": "电子送达", "LEFT_AT_ADDRESS": "留置送达",
        "PUBLIC_NOTICE": "公告送达",
    },
    "handoff_channel": {"SYSTEM_ZONG_DUI_ZONG": "“总对总”系统对接", "ONLINE": "网上移送", "PAPER": "纸质移送",
                        "IN_PERSON": "当面移送"},
    "handoff_reason": {
        "PARTY_APPLICATION": "当事人申请", "PREVIOUS_TIER_FAILED": "前一环节未化解", "STATUTORY_ROUTE": "法定程序",
        "JURISDICTION": "管辖", "RISK_ESCALATION": "风险升级", "AGREEMENT_FOLLOW_UP": "协议履行跟进",
    },
    "rejection": {
        "OUT_OF_SCOPE": "不属于受理范围", "NO_JURISDICTION": "无管辖权", "REFERRED_TO_COMPETENT_ORG": "移交有权机构",
        "PARTY_REFUSED": "当事人拒绝", "DUPLICATE": "重复申请", "ALREADY_IN_OTHER_CHANNEL": "已进入其他程序",
        "TIME_BARRED_ADVISORY": "超过时效（提示）",
    },
    "agency": {"union": "区总工会", "court": "法院", "justice": "司法局", "hr": "人社局", "petition": "信访部门",
               "party": "当事人"},
    "role": {"staff": "调解中心工作人员", "partner": "协作单位", "auditor": "审计人员", "admin": "系统管理员",
             "system": "系统"},
    "ticket_channel": {
        "PHONE_12351": "12351 电话", "ONLINE_DIGITAL_UNION": "数字工会网上", "APP": "移动应用", "WALK_IN": "来访",
        "TRANSFER_FROM_12345": "12345 转来", "TRANSFER_FROM_ACFTU": "全总转来", "TRANSFER_FROM_PROVINCE": "省总工会转来",
    },
    "category": {"CONSULTATION": "咨询", "ASSISTANCE": "求助", "COMPLAINT_PETITION": "投诉", "LEGAL_AID": "法律援助",
                 "SUGGESTION": "意见建议"},
    "complexity": {"GENERAL": "一般", "DIFFICULT": "难点", "ESPECIALLY_COMPLEX": "特别复杂"},
    "urgency": {"NORMAL": "普通", "URGENT": "紧急"},
    "reply_outcome": {"RESOLVED": "已解决", "PARTIALLY": "部分解决", "EXPLAINED": "已解释说明", "REFERRED": "已转办"},
    "satisfaction": {"SATISFIED": "满意", "BASICALLY": "基本满意", "UNSATISFIED": "不满意", "UNREACHABLE": "无法联系"},
    "referral": {"12345": "12345 热线", "INSPECTION": "劳动保障监察", "PETITION": "信访", "LEGAL_AID": "法律援助",
                 "COURT": "法院", "ARBITRATION": "劳动仲裁"},
    "level": {"DISTRICT": "区级", "STREET": "街道", "ENTERPRISE": "企业", "CITY": "市级", "PROVINCE": "省级"},
    "close_reason": {"RESOLVED": "已化解", "WITHDRAWN": "撤回", "UNRESOLVED_TERMINAL": "终结（未化解）", "MERGED": "合并"},
    "mode": {"IN_PERSON": "现场", "VIDEO": "视频"},
    "light": {"GREEN": "正常", "YELLOW": "临期", "RED": "超期", "DONE": "已完成"},
    "deadline_status": {"OPEN": "计时中", "MET": "已完成", "MISSED": "已超期", "CANCELLED": "已取消"},
    "confidence": {"V": "已核对法条", "S": "二手资料", "R": "凭记忆，待核实", "P": "政策默认值，待确认"},
    "side_party": {"claimant": "申请人", "respondent": "被申请人"},
    "rule": {
        "arbitration_precedes_litigation": "劳动争议须先经仲裁方可起诉（先裁后审）",
        "only_worker_may_sue_after_final_award": "终局裁决后仅劳动者可起诉，用人单位只能申请撤销裁决",
        "mediation_needs_both_parties_consent": "调解须经双方同意",
        "inspection_refers_back_while_dispute_channel_active": "争议已在调解、仲裁或诉讼中，劳动监察应告知当事人循争议渠道处理",
        "one_active_arbitration_at_a_time": "同一请求同时只能有一个仲裁程序",
        "one_active_first_instance_at_a_time": "同一争议同时只能有一个一审诉讼",
        "revocation_needs_a_final_award": "只有终局裁决可申请撤销",
        "appeal_needs_a_first_instance_judgment": "上诉须针对一审判决或裁定",
        "confirmation_needs_a_mediation_agreement": "司法确认或仲裁审查须有已签订的调解协议",
    },
    "command": {
        "assign_caseworker": "指定承办人", "change_risk_flags": "调整风险标识", "amend_claims": "变更请求事项",
        "add_party": "追加当事人", "elect_representatives": "推选代表人", "open_proceeding": "启动程序",
        "link_complaint": "关联工单",
        "accept_proceeding": "受理", "return_proceeding_for_supplement": "退回补正", "resubmit_proceeding": "补正后提交",
        "reject_proceeding": "不予受理", "decline_proceeding_by_party": "当事人拒绝调解",
        "suspend_proceeding": "中止", "resume_proceeding": "恢复", "withdraw_proceeding": "撤回",
        "conclude_proceeding": "结案", "assign_mediator": "指定调解员", "hold_mediation_session": "记录调解会议",
        "record_service": "记录送达", "request_handoff": "移送协作单位", "receive_handoff": "签收",
        "return_handoff_for_supplement": "退回补正", "resubmit_handoff": "补正后重新移送", "accept_handoff": "受理",
        "reject_handoff": "不予受理", "withdraw_handoff": "撤回移送", "resolve": "登记化解", "close": "结案",
        "reopen": "重新开启", "extend_deadline": "延长期限",
        # 12351 tickets
        "answer_on_call": "当场解答", "close_ticket": "办结", "dispatch": "派单", "sign_for": "签收",
        "return_by_unit": "退单", "request_extension": "申请延期", "decide_extension": "延期审批",
        "add_handling_note": "添加办理记录", "refer_out": "转办", "submit_reply": "提交回复", "check_quality": "质检",
        "complete_callback": "回访", "escalate": "督办", "convert_to_dispute": "转立案",
        "register_dispute": "登记受理", "receive_complaint": "登记工单", "merge": "合并工单",
    },
    "field": {
        "on": "业务日期", "caseworker": "承办人", "kind": "程序类型", "org_type": "机构类型", "org_name": "机构名称",
        "applicant": "申请方", "reason": "原因", "channel": "移送方式", "dossier": "移送材料", "note": "附言",
        "consent.worker": "劳动者同意调解", "consent.employer": "用人单位同意调解",
        "override_reason": "越过规则的理由", "receiving_case_no": "受理案号", "assignee": "承办人",
        "missing": "需补正的材料", "legal_basis": "法律依据", "advice_to_party": "对当事人的告知",
        "advice": "告知内容", "redirect_to_org": "建议转往机构", "outcome": "结果",
        "amounts_awarded_cny": "确认金额（元）", "performance_due": "履行期限", "mediator": "调解员", "mode": "方式",
        "record_sha256": "笔录 SHA-256", "doc_type": "文书类型", "party_side": "当事人一方", "method": "送达方式",
        "served_on": "送达日期", "ground": "中止事由", "withdrawn_by": "撤回方", "added": "补充材料",
        "documents": "材料", "how": "化解方式", "amount_recovered_cny": "追回金额（元）", "case_no": "案号",
        "received_on": "收到申请日期", "answer": "解答内容", "to_org": "承办单位", "level": "级别",
        "days": "延期工作日数", "granted": "同意延期", "target": "转办去向", "ref_no": "转办编号", "text": "回复内容",
        "passed": "质检通过", "notes": "质检意见", "satisfaction": "满意度", "attempts": "回访次数",
        "justified_complaint": "投诉属实", "close_reason": "结案原因", "extension": "延长期间", "approver": "批准人",
        "scope": "推选用于", "party_ids": "代表人", "election_record_sha256": "推选记录 SHA-256",
        "into": "并入工单号",
    },
    "representative_scope": {"MEDIATION": "调解", "ARBITRATION": "仲裁", "LITIGATION": "诉讼", "PETITION": "信访"},
    "unit": {"hours": "小时", "days": "日", "working_days": "个工作日", "months": "个月", "years": "年"},
    "unit_name": {"hours": "小时", "days": "日", "working_days": "工作日", "months": "月", "years": "年"},
    "event": {
        "Registered": "登记", "CaseworkerAssigned": "指定承办人", "RiskFlagsChanged": "调整风险标识",
        "ClaimsAmended": "变更请求事项", "PartyAdded": "追加当事人", "RepresentativesElected": "推选代表人",
        "ProceedingOpened": "启动程序", "RouteRuleOverridden": "越过程序规则（已说明理由）",
        "ProceedingAccepted": "受理", "ProceedingReturnedForSupplement": "退回补正",
        "ProceedingResubmitted": "补正后提交", "ProceedingRejected": "不予受理",
        "ProceedingDeclinedByParty": "当事人拒绝调解", "ProceedingSuspended": "中止", "ProceedingResumed": "恢复",
        "ProceedingWithdrawn": "撤回", "ProceedingConcluded": "结案", "ProceedingLapsed": "期满未结",
        "ArbitrationAcceptanceOverdue": "仲裁逾期未受理", "AwardOverdue": "仲裁逾期未裁决",
        "ChallengeWindowExpired": "起诉期届满", "MediatorAssigned": "指定调解员", "MediationSessionHeld": "调解会议",
        "DocumentServed": "文书送达", "HandoffRequested": "移送", "HandoffReceived": "签收移送",
        "HandoffReturnedForSupplement": "移送退回补正", "HandoffResubmitted": "补正后重新移送",
        "HandoffAccepted": "受理移送", "HandoffRejected": "移送不予受理", "HandoffWithdrawn": "撤回移送",
        "Resolved": "化解", "Closed": "结案", "Reopened": "重新开启", "ComplaintLinked": "关联工单",
        "DeadlineComputed": "期限起算", "DeadlineRecomputed": "期限重算", "DeadlineMet": "期限内完成",
        "DeadlineMissed": "期限届满未完成", "DeadlineWarned": "期限预警", "DeadlineCancelled": "期限取消",
        "Received": "接收", "AnsweredOnCall": "当场解答", "Dispatched": "派单", "SignedFor": "签收",
        "ReturnedByUnit": "退单", "ExtensionRequested": "申请延期", "ExtensionDecided": "延期审批",
        "HandlingNoteAdded": "办理记录", "ConvertedToDispute": "转立案", "ReferredOut": "转办",
        "ReplySubmitted": "提交回复", "QualityChecked": "质检", "CallbackCompleted": "回访", "Merged": "合并",
        "Escalated": "督办", "PersonalDataErased": "删除个人信息", "CallerDataErased": "删除来电人信息",
    },
    "path": {
        "status": "状态", "stage": "阶段", "caseworker": "承办人", "proceedings": "程序", "handoffs": "移送",
        "deadlines": "期限", "claims": "请求事项", "claimants": "申请人", "respondents": "被申请人",
        "risk_flags": "风险标识", "case_types": "案件类型", "resolution": "化解情况", "closure": "结案情况",
        "overrides": "越过规则记录", "representatives": "代表人", "allowed_actions": "可办理事项",
        "suggested_next_tiers": "建议下一环节", "complaint_ids": "关联工单",
    },
}

# English labels of codes where the code spelled out reads badly.
_CODES_EN: dict[str, dict[str, str]] = {
    "status": {"INTAKE": "Intake", "AWAITING_CHALLENGE": "Awaiting challenge (suit window)"},
    "tier": {"END": "Resolved or closed"},
    "kind": {"LITIGATION_FIRST": "First-instance suit", "APPEAL": "Appeal"},
    "org_type": {"PARTIES": "The parties themselves"},
    "claim": {"DOUBLE_WAGE": "Double wage (no written contract)", "LEAVE": "Annual-leave pay"},
    "outcome": {"LAPSED_15D": "Lapsed (mediation deemed failed)"},
    "agency": {"union": "Trade-union federation", "court": "Court", "justice": "Justice bureau", "hr": "HR bureau",
               "petition": "Petition office", "party": "Party"},
    "role": {"staff": "Mediation-centre staff", "partner": "Partner agency"},
    "ticket_channel": {"PHONE_12351": "12351 call", "TRANSFER_FROM_12345": "From 12345",
                       "TRANSFER_FROM_ACFTU": "From the ACFTU", "TRANSFER_FROM_PROVINCE": "From the province"},
    "referral": {"12345": "12345 hotline"},
    "handoff_channel": {"SYSTEM_ZONG_DUI_ZONG": "System link (总对总)"},
    "confidence": {"V": "checked against the statute", "S": "secondary source", "R": "from memory: verify",
                   "P": "policy default: confirm"},
    "light": {"GREEN": "On time", "YELLOW": "Due soon", "RED": "Overdue", "DONE": "Done"},
    "rule": {
        "arbitration_precedes_litigation": "Arbitration before litigation (先裁后审)",
        "only_worker_may_sue_after_final_award": "After a final award only the worker may sue",
        "mediation_needs_both_parties_consent": "Mediation needs both parties' consent",
        "inspection_refers_back_while_dispute_channel_active":
            "Inspection refers the party back while a dispute channel is active",
        "one_active_arbitration_at_a_time": "One open arbitration for the same claims",
        "one_active_first_instance_at_a_time": "One open first-instance suit",
        "revocation_needs_a_final_award": "Only a final award can be revoked",
        "appeal_needs_a_first_instance_judgment": "An appeal needs a first-instance judgment",
        "confirmation_needs_a_mediation_agreement": "Confirmation needs a signed mediation agreement",
    },
    "field": {"on": "Business date", "consent.worker": "Worker consents to mediation",
              "consent.employer": "Employer consents to mediation", "amounts_awarded_cny": "Amount (CNY)",
              "amount_recovered_cny": "Amount recovered (CNY)", "record_sha256": "SHA-256 of the record",
              "ref_no": "Reference number", "days": "Working days of extension", "approver": "Approved by",
              "scope": "Elected for", "party_ids": "Representatives",
              "election_record_sha256": "SHA-256 of the election record", "into": "Merge into ticket number"},
    "unit": {"hours": "hours", "days": "days", "working_days": "working days", "months": "months", "years": "years"},
    "unit_name": {"hours": "hours", "days": "days", "working_days": "working days", "months": "months",
                  "years": "years"},
    "event": {"Registered": "Registered", "ProceedingOpened": "Proceeding opened"},
}

# --------------------------------------------------------------------------- domain error reasons

# (pattern over InvalidInput.reason, catalogue key); the first match wins; groups fill {0}, {1} …
_ERRORS: tuple[tuple[str, str], ...] = (
    (r"is required \(YYYY-MM-DD\)", "Enter a date."),
    (r"is required unless the caller is anonymous.*",
     "A phone number is needed for the call-back unless the caller is anonymous."),
    (r"is required for a worker or heirs", "Enter the worker's details."),
    (r"is required \(name, optional uscc and address\)", "Enter the organisation's name."),
    (r"is required", "Required."),
    (r"at least one is required", "Enter at least one."),
    (r"expected a non-empty list of items", "Enter at least one item, one per line."),
    (r"expected a date YYYY-MM-DD, got .*", "Enter a date as year-month-day."),
    (r"expected text", "Enter text."),
    (r"at most (\d+) characters, got (\d+)", "At most {0} characters (now {1})."),
    (r"not a valid 18-character resident ID number.*",
     "Not a valid resident ID number (the check character does not match)."),
    (r"not a valid 18-character unified social credit code.*",
     "Not a valid unified social credit code (the check character does not match)."),
    (r"expected an 11-digit mobile number or a landline with area code",
     "Enter an 11-digit mobile number or a landline with its area code."),
    (r"expected 8 to 34 digits", "A bank account has 8 to 34 digits."),
    (r"expected an amount in CNY, got .*", "Enter an amount in yuan, e.g. 18600.00."),
    (r"must be a non-negative amount", "The amount cannot be negative."),
    (r"at most two decimals.*", "At most two decimals (fen)."),
    (r"is implausibly large", "The amount is implausibly large; check it."),
    (r"is in the future", "Cannot be later than today."),
    (r"is before period_from", "Is before the start of the period."),
    (r"is before started_on", "Is before the employment started."),
    (r"is before the dispute was received \((.+)\)", "Is before the case was received ({0})."),
    (r"is before the application was received \((.+)\)", "Is before the application was received ({0})."),
    (r"is before the application was received", "Is before the application was received."),
    (r"is before the proceeding was accepted \((.+)\)", "Is before the proceeding was accepted ({0})."),
    (r"is before the handoff was requested \((.+)\)", "Is before the handoff was requested ({0})."),
    (r"is before the handoff was received \((.+)\)", "Is before the handoff was received ({0})."),
    (r"is before the ticket was received \((.+)\)", "Is before the ticket was received ({0})."),
    (r"is before the agreement date", "Is before the date of the agreement."),
    (r"cannot be true when ended_on is given", "Cannot be ticked when an end date is given."),
    (r"'.*' is not one of: .*|.* is not one of: .*", "Choose one of the options."),
    (r".* is not an outcome of .*", "Choose one of the options."),
    (r"expected 64 lowercase hex digits", "Expected the 64 hexadecimal digits of a SHA-256."),
    (r"a handoff carries at least the application document", "A handoff carries at least the application."),
    (r"resubmit at least one document", "Add at least one document."),
    (r"a union claimant needs the union's name", "Enter the union's name."),
    (r".* does not run .*", "This kind of organisation does not run this proceeding."),
    (r".* belongs to the sender's own agency; open the proceeding instead",
     "That organisation belongs to your own agency: open the proceeding instead of handing it off."),
    (r"expected a positive whole number.*", "Enter a whole number above zero."),
    (r"(?:extension: )?rule \S+ allows at most (\d+) days .*, got (\d+)",
     "The period may be extended by at most {0} days in all (this would make {1})."),
    (r"(?:extension: )?rule \S+ allows at most (\d+) working_days .*, got (\d+)",
     "The period may be extended by at most {0} working days in all (this would make {1})."),
    (r"(?:extension: )?rule \S+ allows at most (\d+) months .*, got (\d+)",
     "The period may be extended by at most {0} months in all (this would make {1})."),
    (r"(?:extension: )?rule \S+ has no extension", "This period cannot be extended."),
    (r"(?:mediation|arbitration|litigation|petition) takes (\d+) to (\d+) representatives",
     "Choose {0} to {1} representatives."),
    (r".* is not a claimant of this dispute", "Not a claimant of this case."),
    (r"a representative is listed twice", "A representative is listed twice."),
    (r"nothing to amend", "Withdraw or add at least one claim."),
    (r"a dispute keeps at least one claim", "A case keeps at least one claim."),
    (r"no claim .* on this dispute", "No such claim on this case."),
    (r"a ticket cannot be merged into itself", "A ticket cannot be merged into itself."),
    (r"no ticket has this number", "No ticket has this number."),
    (r"expected a whole number of working days from 1 to 30", "Enter 1 to 30 working days."),
    (r"expected true or false", "Tick or untick."),
    (r"the change leaves the risk flags as they are", "Nothing would change."),
    (r"the case is at version (\d+)", "The case is at version {0}."),
    (r"must not be after 'to'", "Must not be after the second version."),
    (r"needs a UTC offset.*", "Enter a date and time."),
    (r"must not contain an ID number or a phone number.*",
     "No ID or phone numbers here: put them in the party's or caller's fields."),
    (r"is before period_from", "Is before the start of the period."),
    (r"expected a date YYYY-MM-DD", "Enter a date as year-month-day."),
    (r"expected the street's name", "Enter the street's name."),
    # a page's declared query parameter that did not validate (pydantic's messages)
    (r"Field required", "Required."),
    (r"Input should be a valid integer.*|Unable to parse input string as an integer.*", "Enter a whole number."),
    (r"Input should be a valid date.*", "Enter a date as year-month-day."),
    (r"Input should be a valid datetime.*", "Enter a date and time."),
    (r"Input should be a valid boolean.*", "Expected yes or no."),
    (r"Input should be greater than or equal to (\S+)", "Must be at least {0}."),
    (r"Input should be less than or equal to (\S+)", "Must be at most {0}."),
    (r"Input should be (?:'[^']*'(?:, | or )?)+|Input should be a valid enumeration member.*",
     "Choose one of the options."),
)

_ERROR_SENTENCES: dict[str, tuple[str, str]] = {
    "Enter a date.": ("请填写日期。", "Enter a date."),
    "A phone number is needed for the call-back unless the caller is anonymous.": (
        "非匿名来电须留联系电话（用于回访）。", "A phone number is needed for the call-back unless the caller is anonymous."),
    "Enter the worker's details.": ("请填写劳动者信息。", "Enter the worker's details."),
    "Enter the organisation's name.": ("请填写单位名称。", "Enter the organisation's name."),
    "Required.": ("此项必填。", "Required."),
    "Enter at least one.": ("请至少填写一项。", "Enter at least one."),
    "Enter at least one item, one per line.": ("请至少填写一项，每行一项。", "Enter at least one item, one per line."),
    "Enter a date as year-month-day.": ("日期格式应为“年-月-日”。", "Enter a date as year-month-day."),
    "Enter text.": ("请填写文字。", "Enter text."),
    "At most {0} characters (now {1}).": ("最多 {0} 个字（现为 {1} 个）。", "At most {0} characters (now {1})."),
    "Not a valid resident ID number (the check character does not match).": (
        "身份证号码无效（校验位不符）。", "Not a valid resident ID number (the check character does not match)."),
    "Not a valid unified social credit code (the check character does not match).": (
        "统一社会信用代码无效（校验位不符）。", "Not a valid unified social credit code (the check character does not match)."),
    "Enter an 11-digit mobile number or a landline with its area code.": (
        "请填写 11 位手机号码或带区号的固定电话。", "Enter an 11-digit mobile number or a landline with its area code."),
    "A bank account has 8 to 34 digits.": ("银行账号应为 8 至 34 位数字。", "A bank account has 8 to 34 digits."),
    "Enter an amount in yuan, e.g. 18600.00.": ("请填写以元为单位的金额，如 18600.00。", "Enter an amount in yuan, e.g. 18600.00."),
    "The amount cannot be negative.": ("金额不能为负数。", "The amount cannot be negative."),
    "At most two decimals (fen).": ("金额最多保留两位小数（分）。", "At most two decimals (fen)."),
    "The amount is implausibly large; check it.": ("金额异常偏大，请核对。", "The amount is implausibly large; check it."),
    "Cannot be later than today.": ("不能晚于今天。", "Cannot be later than today."),
    "Is before the start of the period.": ("早于期间起始日期。", "Is before the start of the period."),
    "Is before the employment started.": ("早于入职日期。", "Is before the employment started."),
    "Is before the case was received ({0}).": ("早于案件受理日期（{0}）。", "Is before the case was received ({0})."),
    "Is before the application was received ({0}).": (
        "早于收到申请日期（{0}）。", "Is before the application was received ({0})."),
    "Is before the application was received.": ("早于收到申请日期。", "Is before the application was received."),
    "Is before the proceeding was accepted ({0}).": ("早于受理日期（{0}）。", "Is before the proceeding was accepted ({0})."),
    "Is before the handoff was requested ({0}).": ("早于移送日期（{0}）。", "Is before the handoff was requested ({0})."),
    "Is before the handoff was received ({0}).": ("早于签收日期（{0}）。", "Is before the handoff was received ({0})."),
    "Is before the ticket was received ({0}).": ("早于工单接收日期（{0}）。", "Is before the ticket was received ({0})."),
    "Is before the date of the agreement.": ("早于协议日期。", "Is before the date of the agreement."),
    "Cannot be ticked when an end date is given.": (
        "已填写离职日期时不能勾选“仍在职”。", "Cannot be ticked when an end date is given."),
    "Choose one of the options.": ("请从选项中选择。", "Choose one of the options."),
    "Expected the 64 hexadecimal digits of a SHA-256.": (
        "应为 64 位十六进制的 SHA-256 摘要。", "Expected the 64 hexadecimal digits of a SHA-256."),
    "A handoff carries at least the application.": ("移送至少须附申请书。", "A handoff carries at least the application."),
    "Add at least one document.": ("请至少添加一份材料。", "Add at least one document."),
    "Enter the union's name.": ("请填写工会名称。", "Enter the union's name."),
    "This kind of organisation does not run this proceeding.": (
        "该类机构不办理此类程序。", "This kind of organisation does not run this proceeding."),
    "That organisation belongs to your own agency: open the proceeding instead of handing it off.": (
        "该机构属于本单位，无需移送，请直接启动程序。",
        "That organisation belongs to your own agency: open the proceeding instead of handing it off."),
    "Enter a whole number above zero.": ("请填写大于零的整数。", "Enter a whole number above zero."),
    "The period may be extended by at most {0} days in all (this would make {1}).": (
        "该期限合计最多可延长 {0} 日（本次延长后合计 {1} 日）。",
        "The period may be extended by at most {0} days in all (this would make {1})."),
    "The period may be extended by at most {0} working days in all (this would make {1}).": (
        "该期限合计最多可延长 {0} 个工作日（本次延长后合计 {1} 个工作日）。",
        "The period may be extended by at most {0} working days in all (this would make {1})."),
    "The period may be extended by at most {0} months in all (this would make {1}).": (
        "该期限合计最多可延长 {0} 个月（本次延长后合计 {1} 个月）。",
        "The period may be extended by at most {0} months in all (this would make {1})."),
    "This period cannot be extended.": ("该期限不能延长。", "This period cannot be extended."),
    "Choose {0} to {1} representatives.": ("请推选 {0} 至 {1} 名代表人。", "Choose {0} to {1} representatives."),
    "Not a claimant of this case.": ("不是本案申请人。", "Not a claimant of this case."),
    "A representative is listed twice.": ("代表人重复。", "A representative is listed twice."),
    "Withdraw or add at least one claim.": ("请撤回或新增至少一项请求事项。", "Withdraw or add at least one claim."),
    "A case keeps at least one claim.": ("案件至少须保留一项请求事项。", "A case keeps at least one claim."),
    "No such claim on this case.": ("本案没有该请求事项。", "No such claim on this case."),
    "A ticket cannot be merged into itself.": ("工单不能并入其自身。", "A ticket cannot be merged into itself."),
    "No ticket has this number.": ("没有此工单号的工单。", "No ticket has this number."),
    "Enter 1 to 30 working days.": ("请填写 1 至 30 个工作日。", "Enter 1 to 30 working days."),
    "Tick or untick.": ("请勾选或取消勾选。", "Tick or untick."),
    "Nothing would change.": ("内容没有变化。", "Nothing would change."),
    "The case is at version {0}.": ("案件当前为第 {0} 版。", "The case is at version {0}."),
    "Must not be after the second version.": ("不能晚于第二个版本。", "Must not be after the second version."),
    "Enter a date and time.": ("请填写日期和时间。", "Enter a date and time."),
    "No ID or phone numbers here: put them in the party's or caller's fields.": (
        "此处不得填写身份证号或手机号，请填入当事人或来电人栏目。",
        "No ID or phone numbers here: put them in the party's or caller's fields."),
    "Enter the street's name.": ("请填写街道名称。", "Enter the street's name."),
    "Enter a whole number.": ("请填写整数。", "Enter a whole number."),
    "Expected yes or no.": ("应为“是”或“否”。", "Expected yes or no."),
    "Must be at least {0}.": ("不得小于 {0}。", "Must be at least {0}."),
    "Must be at most {0}.": ("不得大于 {0}。", "Must be at most {0}."),
    "Invalid: {0}": ("输入有误：{0}", "Invalid: {0}"),
}


def _spelled_out(code: str) -> str:
    """WAGE_ARREARS → "Wage arrears", CaseworkerAssigned → "Caseworker assigned", org_type → "Org type"."""
    if "_" not in code and not code.isupper() and not code.islower():
        code = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", code)
    text = code.replace("_", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:].lower()


def _build() -> dict[str, dict[str, str]]:
    zh: dict[str, str] = {}
    en: dict[str, str] = {}
    for key, (chinese, english) in {**_SENTENCES, **_ERROR_SENTENCES}.items():
        zh[key], en[key] = chinese, english
    for numbered in ("Claimant {n}", "Respondent {n}", "Claim {n}", "Claim to add {n}", "Document {n}"):
        for n in range(1, 10):  # form rows are headed "Claimant 1", "Claimant 2" …
            zh[numbered.format(n=n)] = zh[numbered].format(n=n)
            en[numbered.format(n=n)] = en[numbered].format(n=n)
    for namespace, labels in _CODES_ZH.items():
        overrides = _CODES_EN.get(namespace, {})
        for code, chinese in labels.items():
            key = f"{namespace}.{code}"
            zh[key] = chinese
            en[key] = overrides.get(code, _spelled_out(code))
    return {"zh": zh, "en": en}


CATALOGUE: dict[str, dict[str, str]] = _build()
"""Language → {English key → text}. The same keys in every language (a unit test checks it)."""


# --------------------------------------------------------------------------- lookups


def translate(language: str, key: str, /, **fields: Any) -> str:
    """The text of ``key`` in ``language`` with ``fields`` filled in; an unknown key is shown as is."""
    messages = CATALOGUE.get(language) or CATALOGUE[DEFAULT_LANGUAGE]
    text = messages.get(key)
    if text is None:
        return key
    return text.format(**fields) if fields else text


def label(language: str, namespace: str, code: Any) -> str:
    """The label of a domain code; an unknown code is shown as it is stored."""
    if code is None or code == "":
        return translate(language, "—")
    return CATALOGUE.get(language, CATALOGUE[DEFAULT_LANGUAGE]).get(f"{namespace}.{code}", str(code))


def has_label(namespace: str, code: Any) -> bool:
    return f"{namespace}.{code}" in CATALOGUE[DEFAULT_LANGUAGE]


def error_text(language: str, reason: str) -> str:
    """A domain error's reason as a sentence of the catalogue."""
    for pattern, key in _ERRORS:
        match = re.fullmatch(pattern, reason.strip())
        if match:
            text = translate(language, key)
            return text.format(*match.groups()) if match.groups() else text
    return translate(language, "Invalid: {0}").format(reason)


# --------------------------------------------------------------------------- choosing the language


def choose_language(cookie: str | None, accept_language: str | None) -> str:
    """The cookie's language if valid, else the best of ``Accept-Language`` we have, else Chinese."""
    if cookie in LANGUAGES:
        return cookie
    best, best_q = None, -1.0
    for position, item in enumerate((accept_language or "").split(",")):
        parts = [p.strip() for p in item.split(";")]
        tag = parts[0].lower()
        if not tag:
            continue
        quality = 1.0
        for parameter in parts[1:]:
            if parameter.startswith("q="):
                try:
                    quality = float(parameter[2:])
                except ValueError:
                    quality = 0.0
        primary = tag.split("-")[0]
        language = primary if primary in LANGUAGES else None
        # An earlier entry wins a tie: subtract a hair by position.
        score = quality - position * 1e-6
        if language and quality > 0 and score > best_q:
            best, best_q = language, score
    return best or DEFAULT_LANGUAGE


# --------------------------------------------------------------------------- dates and money

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_date(value: date | str | None, language: str) -> str:
    """2026年3月2日 in Chinese, 2 Mar 2026 in English; ``None`` is a dash."""
    if value is None or value == "":
        return translate(language, "—")
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_ZONE).date() if value.tzinfo else value.date()
    if language == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"


def format_datetime(value: datetime | str | None, language: str) -> str:
    """Local time (Asia/Shanghai): 2026年3月2日 10:05 / 2 Mar 2026 10:05."""
    if value is None or value == "":
        return translate(language, "—")
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = value.astimezone(LOCAL_ZONE) if value.tzinfo else value
    return f"{format_date(local.date(), language)} {local:%H:%M}"


def format_month(value: date, language: str) -> str:
    return translate(language, "{year}-{month:02d}", year=value.year, month=value.month)


def format_money(value: Decimal | int | float | str | None, language: str = DEFAULT_LANGUAGE) -> str:
    """¥18,600.00 — yuan with thousands separators and two decimals, in both languages."""
    if value is None or value == "":
        return translate(language, "—")
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def local_date_of(moment: datetime) -> date:
    return moment.astimezone(LOCAL_ZONE).date()
