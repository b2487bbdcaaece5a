"""The audit log (个人信息保护法 Art. 51, 未成年人保护法 Art. 72): sign-ins and failures, case views, reveals of a
full ID number, every change, number, import and export — appended, never changed, and chained: each event
carries the hash of the one before it (from the first event on), so a line changed, removed, replaced or slipped
in later breaks the chain where it happened. :func:`verify` walks the chain (``docgen audit verify``, the
bureau's audit page); the database's triggers refuse changes in the first place, and a dropped trigger is
reported too."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from docgen.service.county.actors import Actor, actor_of, client_address
from docgen.service.county.models import AuditChain, AuditEvent, Member
from docgen.service.county.wording import describe

SIGN_IN, SIGN_IN_FAILED, VIEW_CASE, REVEAL_ID = "登录", "登录失败", "查看案卷", "查看完整身份证号"
CHANGE = "修改案卷"
DOWNLOAD = "下载材料"
GENERATE, NUMBER_ISSUED, NUMBER_VOIDED = "生成文书", "编发文号", "作废文号"
IMPORT, EXPORT = "导入台账", "导出"
FILE_REPORT, FILE_WITHDRAWN = "报送月报表", "撤回月报表报送登记"
ACCOUNT = "管理账号"
JOB_STARTED, JOB_CANCELLED = "发起后台任务", "取消后台任务"
GENESIS = "0" * 64


# ---- the chain --------------------------------------------------------------------------------------------------
def _json(value: Any) -> Any:
    """``value`` as the database gives it back (JSON types only), so what is hashed is what is stored."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def event_hash(prev_hash: str, seq: int, at: dt.datetime, username: str, unit: str, county: str, action: str,
               target: str, detail: Any, address: str | None) -> str:
    """SHA-256 over the previous event's hash and every field of this one, in one canonical JSON line."""
    line = json.dumps([seq, at.astimezone(dt.UTC).isoformat(timespec="microseconds"), username, unit, county, action,
                       target, detail, address or ""], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{line}".encode()).hexdigest()


def hash_of(event: AuditEvent) -> str:
    return event_hash(event.prev_hash, event.seq, event.at, event.username, event.unit, event.county, event.action,
                      event.target, event.detail, event.address)


def lock_chain() -> AuditChain:
    """The chain's head, locked until the transaction ends (every writing transaction takes it first)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock the audit chain inside the transaction that writes (transaction.atomic)")
    head = AuditChain.objects.select_for_update().filter(pk=1).first()
    if head is None:  # a new database (or one whose head was lost: verify says so)
        last = AuditEvent.objects.order_by("-seq").first()
        AuditChain.objects.get_or_create(pk=1, defaults={"seq": last.seq if last else 0,
                                                         "hash": last.hash if last else GENESIS,
                                                         "at": last.at if last else None})
        head = AuditChain.objects.select_for_update().get(pk=1)
    return head


def _append(username: str, unit: str, county: str, action: str, target: str, detail: dict[str, Any],
            address: str | None) -> AuditEvent:
    with transaction.atomic():
        head = lock_chain()  # the chain goes on from its head: rows taken away below it stay a visible gap,
        seq, prev, before = head.seq, head.hash, head.at  # and a row slipped in past it is left out of it
        last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
        seq = max(seq, last or 0)
        at = timezone.now()
        if before is not None and at < before:
            at = before  # never before the event it follows (a clock stepped back)
        detail, target = _json(detail), target[:120]
        event = AuditEvent(at=at, username=username[:150], unit=unit[:80], county=county[:40], action=action,
                           target=target, detail=detail, address=address, seq=seq + 1, prev_hash=prev)
        event.hash = hash_of(event)
        event.save(force_insert=True)
        head.seq, head.hash, head.at = event.seq, event.hash, event.at
        head.save(update_fields=["seq", "hash", "at"])
    return event


def log(actor: Actor, action: str, target: str = "", **detail: Any) -> AuditEvent:
    """Append one event for what ``actor`` did."""
    return _append(actor.username, actor.unit_name, actor.county, action, target, detail, actor.address)


@receiver(user_logged_in)
def _signed_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    log(actor_of(request), SIGN_IN)


@receiver(user_login_failed)
def _sign_in_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                    **kwargs: Any) -> None:
    """A failed sign-in: under the county of the account named, when there is one (else no county sees it)."""
    username = str(credentials.get("username", ""))[:150]
    member = Member.objects.select_related("unit").filter(user__username=username).first()
    address = client_address(request) if request is not None else None
    _append(username, "", member.unit.county if member else "", SIGN_IN_FAILED, "", {}, address)


def county_events(county: str) -> QuerySet[AuditEvent]:
    """The events of one county (an event without a county — a failed sign-in of an unknown name — is none's)."""
    return AuditEvent.objects.filter(Q(county=county) & ~Q(county=""))


# ---- verifying ---------------------------------------------------------------------------------------------------
TRIGGERS = {
    "sqlite": {"county_auditevent_no_update", "county_auditevent_no_delete", "county_auditevent_chain"},
    "postgresql": {"county_auditevent_no_change", "county_auditevent_no_truncate", "county_auditevent_chain"},
}


@dataclass(frozen=True)
class ChainCheck:
    """What :func:`verify` found: how many events, the head (last number and hash) and the first broken link."""

    events: int
    head_seq: int
    head_hash: str
    broken: str = ""  # the first broken link, in words; "" when the chain is whole
    missing_triggers: tuple[str, ...] = ()

    @property
    def whole(self) -> bool:
        return not self.broken and not self.missing_triggers

    def summary(self) -> str:
        if self.whole:
            return f"操作日志完整：共 {self.events} 条，链头第 {self.head_seq} 条，哈希 {self.head_hash}"
        parts = [self.broken] if self.broken else []
        if self.missing_triggers:
            parts.append(f"数据库缺少保护操作日志的触发器：{'、'.join(self.missing_triggers)}")
        return "操作日志不完整：" + "；".join(parts)


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'county_auditevent'")
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'county_auditevent'::regclass "
                           "AND NOT tgisinternal")
        else:
            return set()
        return {row[0] for row in cursor.fetchall()}


def _where(event: AuditEvent) -> str:
    return f"第 {event.seq} 条（{timezone.localtime(event.at):%Y-%m-%d %H:%M:%S}，{event.action}）"


def verify() -> ChainCheck:
    """Walk the whole chain in order and name the first broken link: an event whose fields no longer give its
    hash (changed or replaced), one that does not follow the hash of the one before (removed, inserted or
    replaced before it), a number skipped or repeated, a time earlier than the event before (back-dated), or a
    head that does not match the last event (the tail cut off). Missing triggers are reported as well."""
    missing = tuple(sorted(TRIGGERS.get(connection.vendor, set()) - _triggers()))
    prev_hash, prev_seq, prev_at, count, broken = GENESIS, 0, None, 0, ""
    last = None
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        count += 1
        if event.seq != prev_seq + 1 and prev_seq == 0:
            broken = f"日志应从第 1 条开始，实际从第 {event.seq} 条开始（前面的记录被删除）"
        elif event.seq != prev_seq + 1:
            broken = f"第 {prev_seq} 条之后应为第 {prev_seq + 1} 条，实际是第 {event.seq} 条（有记录被删除或插入）"
        elif event.prev_hash != prev_hash:
            broken = f"{_where(event)}没有接在上一条之后（上一条被改动、替换或删除，或这一条是后来插入的）"
        elif hash_of(event) != event.hash:
            broken = f"{_where(event)}的内容与它的哈希不符（被改动或替换）"
        elif prev_at is not None and event.at < prev_at:
            broken = f"{_where(event)}的时间早于上一条（倒填日期）"
        if broken:
            break
        prev_hash, prev_seq, prev_at, last = event.hash, event.seq, event.at, event
    head = AuditChain.objects.filter(pk=1).first()
    if not broken and head is not None and (head.seq, head.hash) != ((last.seq, last.hash) if last else (0, GENESIS)):
        broken = f"链头记着第 {head.seq} 条，日志最后是第 {prev_seq} 条（末尾的记录被删除）"
    return ChainCheck(count, prev_seq, prev_hash, broken, missing)


# ---- reading -------------------------------------------------------------------------------------------------------
def events_workbook(events: Iterable[AuditEvent]) -> bytes:
    """The log as an Excel workbook for the bureau (the export itself is logged by the caller)."""
    from docgen.fsutil import save_workbook
    from docgen.xlsx import Table, new_workbook, write_sheet

    rows = [[e.seq, timezone.localtime(e.at).replace(tzinfo=None), e.username, e.unit, e.action, e.target,
             describe(e.detail), e.address or "", e.hash] for e in events]
    workbook = new_workbook()
    now = timezone.localtime()
    header = ["序号", "时间", "用户", "单位", "操作", "对象", "详情", "地址", "哈希"]
    write_sheet(workbook, "操作日志", "操作日志", [Table(header, rows)],
                subtitle=f"共 {len(rows)} 条，按时间先后排列；导出于{now.year}年{now.month}月{now.day}日 {now:%H:%M}；"
                         "哈希可用 docgen audit verify 核对",
                widths={7: 40, 9: 24})
    with tempfile.TemporaryDirectory(prefix="docgen-audit-") as tmp:
        out = Path(tmp) / "audit.xlsx"
        save_workbook(workbook, out)
        return out.read_bytes()
