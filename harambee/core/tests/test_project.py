"""Project-wide contracts: migrations in step with models, committed API schema, deploy checks."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

SCHEMA = Path(settings.PROJECT_DIR) / "docs" / "api" / "openapi.yaml"


@pytest.mark.django_db
def test_migrations_match_models():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_committed_openapi_schema_has_not_drifted(tmp_path):
    generated = tmp_path / "openapi.yaml"
    # Generated as `make schema` does, on the embedded database: integer ranges in the schema
    # come from the database backend, and the committed file must not depend on it.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env["HARAMBEE_VAR_DIR"] = str(tmp_path)
    result = _harambee(
        "spectacular", "--file", str(generated), "--validate", "--fail-on-warn", env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert SCHEMA.exists(), "Run `make schema` and commit docs/api/openapi.yaml"
    assert generated.read_text() == SCHEMA.read_text(), (
        "The API changed: run `make schema` and commit docs/api/openapi.yaml"
    )


def _harambee(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harambee.cli", *args],
        env={k: v for k, v in env.items() if v is not None},
        capture_output=True,
        text=True,
        cwd=settings.PROJECT_DIR,
        timeout=120,
    )


def _production_env(**overrides: str | None) -> dict[str, str]:
    skip = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(
        HARAMBEE_ENV="production",
        SECRET_KEY="k2N8pZr5vQx7yT1wBc4Hd9Jf3Lm6Sg0Ua-Ve2Xi8Ko5Pq1Rt7Yu4Zw_Na3Mb6Cd9",
        FIELD_ENCRYPTION_KEY="7o1eTf0l1Zq7o2mSNoG6t4M2l1Rz2Vh8m1Y0fE2bH9s=",
        FIELD_HASH_KEY="hash-key-for-the-deploy-check-0123456789abcdef",
        ALLOWED_HOSTS="harambee.example.org",
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def test_production_settings_pass_deploy_checks():
    result = _harambee("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key():
    result = _harambee("check", env=_production_env(SECRET_KEY=None))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_allowed_hosts_come_from_the_environment():
    result = _harambee(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.ALLOWED_HOSTS)",
        env=_production_env(ALLOWED_HOSTS="a.example.org, b.example.org"),
    )
    assert "['a.example.org', 'b.example.org']" in result.stdout, result.stderr


def _po_entries(path: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for each entry of a .po file, header left out."""
    entries = []
    for block in path.read_text().split("\n\n"):
        lines = block.strip().splitlines()
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        parts: dict[str, str] = {}
        key = None
        for line in lines:
            if line.startswith("#"):
                continue
            head = line.split(" ", 1)[0]
            if head.startswith("msg"):
                key = head
                line = line[len(head) :].strip()
            if key is not None and line.startswith('"'):
                parts[key] = parts.get(key, "") + line[1:-1]
        msgid = parts.get("msgid", "")
        msgstr = parts.get("msgstr", parts.get("msgstr[0]", ""))
        if msgid:
            # Entries with a context or a plural are looked up differently; mark them.
            plain = "msgctxt" not in parts and "msgid_plural" not in parts
            entries.append((msgid if plain else "", msgstr, fuzzy))
    return entries


def test_french_translation_is_complete_and_compiled():
    import gettext

    locale = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"
    entries = _po_entries(locale / "django.po")
    assert len(entries) > 300
    untranslated = [
        msgid or "(plural or context)" for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy
    ]
    assert untranslated == [], (
        f"Translate these in django.po (`make messages`): {untranslated[:10]}"
    )
    with (locale / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        msgid
        for msgid, msgstr, _fuzzy in entries
        if msgid and msgstr != msgid and "\\" not in msgid and compiled.gettext(msgid) == msgid
    ]
    assert stale == [], f"django.mo is older than django.po: run `make messages`. {stale[:5]}"
