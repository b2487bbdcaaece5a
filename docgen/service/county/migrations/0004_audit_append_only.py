"""The database itself refuses to change or delete audit log rows (triggers), whatever code runs against it."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER county_auditevent_no_update BEFORE UPDATE ON county_auditevent "
    "BEGIN SELECT RAISE(ABORT, '操作日志只能追加'); END;",
    "CREATE TRIGGER county_auditevent_no_delete BEFORE DELETE ON county_auditevent "
    "BEGIN SELECT RAISE(ABORT, '操作日志只能追加'); END;",
]
POSTGRES = [
    "CREATE FUNCTION county_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION '操作日志只能追加'; END; $$;",
    "CREATE TRIGGER county_auditevent_no_change BEFORE UPDATE OR DELETE ON county_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION county_auditevent_append_only();",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("county", "0003_audit")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
