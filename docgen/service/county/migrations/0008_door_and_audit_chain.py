"""The door's and the audit chain's columns.

Cases keep their student's ID and registry numbers in indexed columns, unique per county (the door refuses a
second case with the same numbers; where an older database already holds two, the later one keeps an empty column
and its next change is refused until it is put right). Every audit event gets its county, its number in the chain
and the hashes; the events already there are chained in their order. The triggers are made again and stronger:
besides UPDATE and DELETE they refuse an INSERT that does not continue the chain from its head (so INSERT OR
REPLACE and back-dated rows), and on PostgreSQL a TRUNCATE of a log that holds events.
"""

import datetime as dt
import hashlib
import json

from django.db import migrations, models

GENESIS = "0" * 64

DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS county_auditevent_no_update", "DROP TRIGGER IF EXISTS county_auditevent_no_delete",
               "DROP TRIGGER IF EXISTS county_auditevent_chain"],
    "postgresql": ["DROP TRIGGER IF EXISTS county_auditevent_no_change ON county_auditevent",
                   "DROP TRIGGER IF EXISTS county_auditevent_no_truncate ON county_auditevent",
                   "DROP TRIGGER IF EXISTS county_auditevent_chain ON county_auditevent"],
}
CREATE = {
    "sqlite": [
        "CREATE TRIGGER county_auditevent_no_update BEFORE UPDATE ON county_auditevent "
        "BEGIN SELECT RAISE(ABORT, '操作日志只能追加'); END;",
        "CREATE TRIGGER county_auditevent_no_delete BEFORE DELETE ON county_auditevent "
        "BEGIN SELECT RAISE(ABORT, '操作日志只能追加'); END;",
        # An insert must continue the chain from its head: a number past it, its hash, no earlier time. INSERT OR
        # REPLACE of an existing event and a back-dated row are refused here (the REPLACE's delete fires no DELETE
        # trigger). The service makes the head before its first event.
        "CREATE TRIGGER county_auditevent_chain BEFORE INSERT ON county_auditevent "
        "WHEN NOT EXISTS (SELECT 1 FROM county_auditchain WHERE id = 1) "
        "OR NEW.seq <= (SELECT seq FROM county_auditchain WHERE id = 1) "
        "OR NEW.prev_hash IS NOT (SELECT hash FROM county_auditchain WHERE id = 1) "
        "OR NEW.at < COALESCE((SELECT at FROM county_auditchain WHERE id = 1), NEW.at) "
        "BEGIN SELECT RAISE(ABORT, '操作日志只能按顺序追加'); END;",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION county_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION '操作日志只能追加'; END; $$;",
        "CREATE TRIGGER county_auditevent_no_change BEFORE UPDATE OR DELETE ON county_auditevent "
        "FOR EACH ROW EXECUTE FUNCTION county_auditevent_append_only();",
        # TRUNCATE fires no row trigger: a statement trigger of its own (an empty log may be emptied: test runs).
        "CREATE OR REPLACE FUNCTION county_auditevent_no_truncate() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN IF EXISTS (SELECT 1 FROM county_auditevent) THEN RAISE EXCEPTION '操作日志只能追加'; END IF; "
        "RETURN NULL; END; $$;",
        "CREATE TRIGGER county_auditevent_no_truncate BEFORE TRUNCATE ON county_auditevent "
        "FOR EACH STATEMENT EXECUTE FUNCTION county_auditevent_no_truncate();",
        "CREATE OR REPLACE FUNCTION county_auditevent_chain() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "DECLARE head_seq bigint; head_hash varchar; head_at timestamptz; BEGIN "
        "SELECT seq, hash, at INTO head_seq, head_hash, head_at FROM county_auditchain WHERE id = 1; "
        "IF NEW.seq <= head_seq OR NEW.prev_hash IS DISTINCT FROM head_hash "
        "OR NEW.at < head_at THEN RAISE EXCEPTION '操作日志只能按顺序追加'; END IF; RETURN NEW; END; $$;",
        "CREATE TRIGGER county_auditevent_chain BEFORE INSERT ON county_auditevent "
        "FOR EACH ROW EXECUTE FUNCTION county_auditevent_chain();",
    ],
}


def _run(schema_editor, statements):
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    _run(schema_editor, DROP)


def create_triggers(apps, schema_editor):
    _run(schema_editor, CREATE)


def _hash(prev, event):
    # The same line as docgen.service.county.audit.event_hash (kept here: a migration does not import the app).
    line = json.dumps([event.seq, event.at.astimezone(dt.UTC).isoformat(timespec="microseconds"), event.username,
                       event.unit, event.county, event.action, event.target, event.detail, event.address or ""],
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{prev}\n{line}".encode()).hexdigest()


def chain_events(apps, schema_editor):
    """Each existing event gets its county (its unit's, else its account's) and its place in the chain."""
    AuditEvent = apps.get_model("county", "AuditEvent")
    Unit = apps.get_model("county", "Unit")
    Member = apps.get_model("county", "Member")
    AuditChain = apps.get_model("county", "AuditChain")
    units = {}
    for unit in Unit.objects.all():
        units.setdefault(unit.name, set()).add(unit.county)
    accounts = {m.user.username: m.unit.county for m in Member.objects.select_related("user", "unit")}
    prev, seq, at = GENESIS, 0, None
    for event in AuditEvent.objects.order_by("id"):
        counties = units.get(event.unit, set())
        county = next(iter(counties)) if len(counties) == 1 else accounts.get(event.username, "")
        seq += 1
        if at is not None and event.at < at:
            event.at = at  # events made before the chain may be out of order by moments
        event.county, event.seq, event.prev_hash = county, seq, prev
        event.detail = json.loads(json.dumps(event.detail, ensure_ascii=False, default=str))
        event.hash = _hash(prev, event)
        event.save(update_fields=["county", "seq", "prev_hash", "hash", "at", "detail"])
        prev, at = event.hash, event.at
    AuditChain.objects.update_or_create(pk=1, defaults={"seq": seq, "hash": prev, "at": at})


def index_case_numbers(apps, schema_editor):
    """The student's numbers in their columns; a number a case shares with an earlier one stays out of it."""
    CaseRecord = apps.get_model("county", "CaseRecord")
    seen = set()
    for record in CaseRecord.objects.order_by("id"):
        student = record.data.get("student", {}) if isinstance(record.data, dict) else {}
        for key in ("id_number", "registry_no"):
            value = student.get(key) if isinstance(student.get(key), str) else ""
            if value and (record.county, key, value) not in seen:
                seen.add((record.county, key, value))
                setattr(record, key, value)
        record.save(update_fields=["id_number", "registry_no"])


class Migration(migrations.Migration):
    dependencies = [("county", "0007_jobs")]

    operations = [
        migrations.RunPython(drop_triggers, migrations.RunPython.noop),
        migrations.CreateModel(
            name="AuditChain",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(default=GENESIS, max_length=64)),
                ("at", models.DateTimeField(null=True)),
            ],
            options={"verbose_name": "操作日志链头", "verbose_name_plural": "操作日志链头"},
        ),
        migrations.AlterModelOptions(name="auditevent", options={"ordering": ["-seq"], "verbose_name": "操作日志",
                                                                 "verbose_name_plural": "操作日志"}),
        migrations.AlterField(model_name="auditevent", name="at",
                              field=models.DateTimeField(db_index=True, verbose_name="时间")),
        migrations.AddField(model_name="auditevent", name="county",
                            field=models.CharField(blank=True, db_index=True, default="", max_length=40,
                                                   verbose_name="县"), preserve_default=False),
        migrations.AddField(model_name="auditevent", name="seq",
                            field=models.PositiveBigIntegerField(null=True, verbose_name="序号")),
        migrations.AddField(model_name="auditevent", name="prev_hash",
                            field=models.CharField(default="", max_length=64, verbose_name="上一条的哈希"),
                            preserve_default=False),
        migrations.AddField(model_name="auditevent", name="hash",
                            field=models.CharField(default="", max_length=64, verbose_name="哈希"),
                            preserve_default=False),
        migrations.RunPython(chain_events, migrations.RunPython.noop),
        migrations.AlterField(model_name="auditevent", name="seq",
                              field=models.PositiveBigIntegerField(unique=True, verbose_name="序号")),
        migrations.AddField(model_name="caserecord", name="id_number",
                            field=models.CharField(blank=True, default="", max_length=40, verbose_name="身份证号")),
        migrations.AddField(model_name="caserecord", name="registry_no",
                            field=models.CharField(blank=True, default="", max_length=40, verbose_name="学籍号")),
        migrations.RunPython(index_case_numbers, migrations.RunPython.noop),
        migrations.AddConstraint(model_name="caserecord", constraint=models.UniqueConstraint(
            condition=models.Q(("id_number", ""), _negated=True), fields=("county", "id_number"),
            name="one_case_per_id_number")),
        migrations.AddConstraint(model_name="caserecord", constraint=models.UniqueConstraint(
            condition=models.Q(("registry_no", ""), _negated=True), fields=("county", "registry_no"),
            name="one_case_per_registry_no")),
        migrations.RunPython(create_triggers, migrations.RunPython.noop),
    ]
