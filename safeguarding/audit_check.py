"""Checking the audit trail, and anchoring each chain's head outside the database.

The trail is one hash chain per school (see audit.record). `verify_chains` walks every chain,
several at once in separate processes, and finds the first record of each that was changed,
removed, moved or rewritten without the key. What a walk cannot see is the newest records of a
chain being deleted: the chain that is left is intact. So each chain's head (how many records,
the last one's id and hash) is written out, signed with the audit key, to places the database
owner cannot rewrite: the log stream and, if AUDIT_ANCHOR_FILE is set, an append-only file
(`write_anchors`, every few minutes from beat and on demand with `manage.py anchor_audit`).
`check_anchors` compares the chains with the latest anchor of each and names what is missing.
"""

import json
import logging
import multiprocessing
import os
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection, connections
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import audit
from .models import (
    AUDIT_HASHED_FIELDS,
    GENESIS_HASH,
    LEGACY_CHAIN,
    AuditEvent,
    audit_hash,
    chain_for,
)

# Why a record breaks its chain.
CHANGED = "changed"
UNLINKED = "unlinked"
UNKEYED_AFTER_KEYED = "unkeyed_after_keyed"
MISPLACED = "misplaced"
START_UNLINKED = "start_unlinked"
FIRST_REMOVED = "first_removed"
AFTER_CUTOVER = "after_cutover"
OLD_SCHEME = "old_scheme"

# A chain longer than this is checked in pieces, by several processes at once.
SEGMENT = 50_000

anchor_log = logging.getLogger("safeguarding.audit.anchor")
ANCHOR_MARK = "audit-anchor "

_COLUMNS = ("id", "hash", "hash_scheme", *AUDIT_HASHED_FIELDS)
_CHAINED = AuditEvent.HashScheme.CHAINED.value
_SHA256 = AuditEvent.HashScheme.SHA256.value


@dataclass
class ChainResult:
    """One chain as the walk found it."""

    chain: str
    count: int = 0
    unkeyed: int = 0
    last_id: int | None = None
    last_seq: int | None = None
    last_hash: str = ""
    broken_id: int | None = None
    broken_at: datetime | None = None
    broken_action: str = ""
    reason: str = ""

    def break_at(self, row: dict, reason: str) -> None:
        if self.broken_id is None:
            self.broken_id, self.reason = row["id"], reason
            self.broken_at, self.broken_action = row["at"], row["action"]


@dataclass
class Report:
    chains: list[ChainResult] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 1

    @property
    def records(self) -> int:
        return sum(chain.count for chain in self.chains)

    @property
    def unkeyed(self) -> int:
        return sum(chain.unkeyed for chain in self.chains)

    @property
    def broken(self) -> list[ChainResult]:
        return sorted((c for c in self.chains if c.broken_id is not None), key=lambda c: c.chain)

    @property
    def per_second(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else float(self.records)

    def chain(self, name: str) -> ChainResult | None:
        return next((c for c in self.chains if c.chain == name), None)


@dataclass(frozen=True)
class Piece:
    """Records seq lo..hi of one chain (the legacy chain: all of it, by id)."""

    chain: str
    lo: int | None = None
    hi: int | None = None
    first: bool = True  # starts at the chain's beginning (links to the genesis)


def _rows(pieces: list[Piece]):
    """The records of `pieces`, in chain order, as dicts."""
    chains = [p.chain for p in pieces]
    if len(pieces) == 1 and pieces[0].chain == LEGACY_CHAIN:
        query = AuditEvent.objects.filter(chain=LEGACY_CHAIN).order_by("id")
    elif len(pieces) == 1 and pieces[0].lo is not None:
        piece = pieces[0]
        query = AuditEvent.objects.filter(chain=piece.chain, seq__range=(piece.lo, piece.hi))
        query = query.order_by("seq")
    else:
        query = AuditEvent.objects.filter(chain__in=chains, seq__isnull=False)
        query = query.order_by("chain", "seq")
    for values in query.values_list(*_COLUMNS).iterator(chunk_size=5000):
        yield dict(zip(_COLUMNS, values, strict=True))


def _walk(pieces: list[Piece], genesis: str, key: str, last_unkeyed_id, cutover_id) -> list:
    """Check `pieces` (run in a worker process). Returns one ChainResult per piece."""
    results = {p.chain: ChainResult(chain=p.chain) for p in pieces}
    state: dict[str, tuple[str | None, int]] = {}
    for piece in pieces:
        if piece.chain == LEGACY_CHAIN:
            state[piece.chain] = (GENESIS_HASH, 0)
        elif piece.first:
            state[piece.chain] = (genesis, 1)
        else:
            before = (
                AuditEvent.objects.filter(chain=piece.chain, seq=piece.lo - 1)
                .values_list("hash", flat=True)
                .first()
            )
            state[piece.chain] = (before, piece.lo)
    keyed_seen = False
    for row in _rows(pieces):
        chain = row["chain"]
        result = results[chain]
        result.count += 1
        result.last_id, result.last_seq, result.last_hash = row["id"], row["seq"], row["hash"]
        if result.broken_id is not None:
            continue
        expected_previous, expected_seq = state[chain]
        scheme = row["hash_scheme"]
        if scheme == _SHA256:
            result.unkeyed += 1
        if chain == LEGACY_CHAIN:
            # The single chain of before the split: unkeyed records only before its first keyed
            # one, and (once the deployment says where they end) not after AUDIT_LAST_UNKEYED_ID.
            if scheme != _SHA256:
                keyed_seen = True
            elif keyed_seen or (last_unkeyed_id is not None and row["id"] > last_unkeyed_id):
                result.break_at(row, UNKEYED_AFTER_KEYED)
                continue
            if cutover_id is not None and row["id"] > cutover_id:
                result.break_at(row, AFTER_CUTOVER)
                continue
            if scheme == _CHAINED:
                result.break_at(row, MISPLACED)
                continue
        elif scheme != _CHAINED:
            result.break_at(row, UNKEYED_AFTER_KEYED if scheme == _SHA256 else OLD_SCHEME)
            continue
        elif chain != chain_for(row["school_id"]):
            result.break_at(row, MISPLACED)
            continue
        if audit_hash(row, scheme, key) != row["hash"]:
            result.break_at(row, CHANGED)
            continue
        if chain != LEGACY_CHAIN and row["seq"] != expected_seq:
            result.break_at(row, FIRST_REMOVED if expected_seq == 1 else UNLINKED)
            continue
        if row["previous_hash"] != expected_previous:
            first_of_new_chain = chain != LEGACY_CHAIN and row["seq"] == 1
            result.break_at(row, START_UNLINKED if first_of_new_chain else UNLINKED)
            continue
        state[chain] = (row["hash"], expected_seq + 1)
    return [results[p.chain] for p in pieces]


def _walk_task(args) -> list:
    return _walk(*args)


def _plan(stats: list[dict], segment: int, workers: int) -> list[list[Piece]]:
    """Units of work of about `segment` records (fewer, so that every worker has some): long
    chains cut up, short ones grouped."""
    total = sum(row["n"] for row in stats)
    batch_target = max(1, min(segment, -(-total // workers)))
    tasks: list[list[Piece]] = []
    batch: list[Piece] = []
    batch_size = 0
    for row in sorted(stats, key=lambda r: -r["n"]):
        if row["chain"] == LEGACY_CHAIN:
            tasks.append([Piece(LEGACY_CHAIN)])
        elif row["n"] > segment and row["lo"] is not None:
            for lo in range(row["lo"], row["hi"] + 1, segment):
                hi = min(lo + segment - 1, row["hi"])
                tasks.append([Piece(row["chain"], lo, hi, first=lo == row["lo"])])
        else:
            batch.append(Piece(row["chain"]))
            batch_size += row["n"]
            if batch_size >= batch_target:
                tasks.append(batch)
                batch, batch_size = [], 0
    if batch:
        tasks.append(batch)
    return tasks


def _merge(parts: Iterable[ChainResult]) -> ChainResult:
    """One chain's result from its pieces' (in order)."""
    parts = list(parts)
    merged = ChainResult(chain=parts[0].chain)
    for part in parts:
        merged.count += part.count
        merged.unkeyed += part.unkeyed
        if part.last_id is not None:
            merged.last_id, merged.last_seq, merged.last_hash = (
                part.last_id,
                part.last_seq,
                part.last_hash,
            )
        if merged.broken_id is None and part.broken_id is not None:
            merged.broken_id, merged.reason = part.broken_id, part.reason
            merged.broken_at, merged.broken_action = part.broken_at, part.broken_action
    return merged


def verify_chains(
    *, key: str | None = None, workers: int | None = None, segment: int = SEGMENT
) -> Report:
    """Walk every chain (with `workers` processes; 1 walks them in this one) and report each."""
    started = time.perf_counter()
    key = settings.AUDIT_HMAC_KEY if key is None else key
    workers = workers or os.cpu_count() or 1
    stats = list(
        AuditEvent.objects.values("chain").annotate(
            n=Count("id"),
            lo=Min("seq"),
            hi=Max("seq"),
            unplaced=Count("id", filter=Q(seq__isnull=True)),
            first_unplaced=Min("id", filter=Q(seq__isnull=True)),
        )
    )
    genesis = audit.chain_genesis()
    cutover_id = AuditEvent.objects.exclude(chain=LEGACY_CHAIN).aggregate(first=Min("id"))["first"]
    tasks = _plan(stats, segment, workers)
    args = [(pieces, genesis, key, settings.AUDIT_LAST_UNKEYED_ID, cutover_id) for pieces in tasks]
    if workers == 1 or len(tasks) <= 1 or connection.in_atomic_block:
        # In a transaction (as in tests) other processes could not see its rows.
        workers = 1
        parts = [result for arg in args for result in _walk(*arg)]
    else:
        connections.close_all()  # each process opens its own; none may share this one
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            parts = [result for results in pool.map(_walk_task, args) for result in results]
    by_chain: dict[str, list[ChainResult]] = {}
    for part in parts:
        by_chain.setdefault(part.chain, []).append(part)
    report = Report(workers=workers)
    for row in stats:
        result = _merge(by_chain[row["chain"]])
        # A record outside its chain's sequence was not walked: it was put there by hand.
        if row["chain"] != LEGACY_CHAIN and row["unplaced"]:
            result.count = row["n"]
            event = AuditEvent.objects.get(pk=row["first_unplaced"])
            if result.broken_id is None or event.id < result.broken_id:
                result.broken_id, result.reason = event.id, MISPLACED
                result.broken_at, result.broken_action = event.at, event.action
        report.chains.append(result)
    report.chains.sort(key=lambda c: c.chain)
    report.seconds = time.perf_counter() - started
    return report


# ---- Anchors ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    chain: str
    count: int
    last_id: int
    last_hash: str
    at: datetime | None = None  # when it was anchored (read back from an anchor)


def chain_heads(*, since: datetime | None = None) -> list[Head]:
    """Each chain's head now: every chain, or those with a record written since `since`."""
    recent = AuditEvent.objects.all()
    if since is not None:
        recent = recent.filter(at__gte=since)
    chains = set(recent.values_list("chain", flat=True).distinct())
    heads = []
    if connection.vendor == "postgresql" and chains:
        rows = (
            AuditEvent.objects.filter(chain__in=chains - {LEGACY_CHAIN}, seq__isnull=False)
            .order_by("chain", "-seq")
            .distinct("chain")
            .values_list("chain", "seq", "id", "hash")
        )
        heads = [Head(chain, seq, id_, hash_) for chain, seq, id_, hash_ in rows]
    else:
        for chain in sorted(chains - {LEGACY_CHAIN}):
            row = (
                AuditEvent.objects.filter(chain=chain, seq__isnull=False)
                .order_by("-seq")
                .values_list("seq", "id", "hash")
                .first()
            )
            if row:
                heads.append(Head(chain, *row))
    if LEGACY_CHAIN in chains:
        legacy = AuditEvent.objects.filter(chain=LEGACY_CHAIN)
        last = legacy.order_by("-id").values_list("id", "hash").first()
        heads.append(Head(LEGACY_CHAIN, legacy.count(), *last))
    return sorted(heads, key=lambda head: head.chain)


def _signed_part(head: Head, at: datetime) -> dict:
    return {
        "at": at.isoformat(),
        "chain": head.chain,
        "count": head.count,
        "last_id": head.last_id,
        "last_hash": head.last_hash,
    }


def _mac(payload: dict, key: str | None) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return audit.keyed_digest(canonical, purpose="anchor", key=key)


def anchor_line(head: Head, at: datetime) -> str:
    """One signed head record: `audit-anchor {json}`. It holds no names, only counts and hashes."""
    payload = _signed_part(head, at)
    payload["mac"] = _mac(payload, None)
    return ANCHOR_MARK + json.dumps(payload, sort_keys=True, separators=(",", ":"))


def write_anchors(*, since: datetime | None = None, path: str | None = None) -> list[str]:
    """Anchor the heads of every chain (or those written to since `since`): each line goes to
    the log stream and, if set, is appended to AUDIT_ANCHOR_FILE (flushed to disk)."""
    at = timezone.now()
    lines = [anchor_line(head, at) for head in chain_heads(since=since)]
    for line in lines:
        anchor_log.info(line)
    path = path or settings.AUDIT_ANCHOR_FILE
    if path and lines:
        with open(path, "a", encoding="utf-8") as anchors:
            anchors.write("".join(line + "\n" for line in lines))
            anchors.flush()
            os.fsync(anchors.fileno())
    return lines


@dataclass
class Anchors:
    latest: dict[str, Head] = field(default_factory=dict)
    lines: int = 0
    forged: int = 0  # lines that look like anchors but whose signature does not match


def read_anchors(paths: Iterable[str], *, key: str | None = None) -> Anchors:
    """The latest signed anchor of each chain in these files (anchor files or log extracts:
    any line containing `audit-anchor {...}`). The latest is the one with the most records."""
    found = Anchors()
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                start = line.find(ANCHOR_MARK + "{")
                if start < 0:
                    continue
                found.lines += 1
                try:
                    payload = json.loads(line[start + len(ANCHOR_MARK) :])
                    mac = payload.pop("mac")
                    if _mac(payload, key) != mac:
                        raise ValueError("not signed with this key")
                    head = Head(
                        str(payload["chain"]),
                        int(payload["count"]),
                        int(payload["last_id"]),
                        str(payload["last_hash"]),
                        parse_datetime(payload["at"]),
                    )
                except (ValueError, KeyError, TypeError, AttributeError):
                    found.forged += 1
                    continue
                known = found.latest.get(head.chain)
                if known is None or (head.count, head.at) >= (known.count, known.at):
                    found.latest[head.chain] = head
    return found


def check_anchors(report: Report, anchors: Anchors) -> list[str]:
    """What the anchors say is missing or replaced, one sentence a chain (empty: nothing)."""
    problems = []
    ids = [head.last_id for head in anchors.latest.values()]
    found = {
        row[0]: row[1:]
        for row in AuditEvent.objects.filter(id__in=ids).values_list("id", "chain", "seq", "hash")
    }
    for chain, head in sorted(anchors.latest.items()):
        result = report.chain(chain)
        have = result.count if result else 0
        if chain != LEGACY_CHAIN and result is not None and result.last_seq is not None:
            have = result.last_seq
        when = timezone.localtime(head.at).isoformat() if head.at else "an earlier time"
        said = f"the anchor of {when} says it had {head.count} records, the last id={head.last_id}"
        if have < head.count:
            problems.append(
                f"Chain {chain}: {said}; it now has {have}: its newest records were removed."
            )
            continue
        row = found.get(head.last_id)
        expected_seq = None if chain == LEGACY_CHAIN else head.count
        if row is None or row != (chain, expected_seq, head.last_hash):
            problems.append(
                f"Chain {chain}: {said}; that record is no longer there as it was anchored: "
                "it was removed or replaced."
            )
    return problems
