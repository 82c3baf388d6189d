"""Settings: empty means unset, every bad value is named in one line, secrets are never echoed."""

from __future__ import annotations

import pytest

from bot.app.settings import SettingError, load_settings


@pytest.fixture(autouse=True)
def no_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith(("SLACK_", "DISCORD_", "DEBRIEF_", "LOG_")) or name in ("REDIS_URL", "REDIS_CLUSTER"):
            monkeypatch.delenv(name)


def load(monkeypatch: pytest.MonkeyPatch, **values: str) -> object:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return load_settings(_env_file=None)


def test_empty_values_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load(monkeypatch, REDIS_URL="", DEBRIEF_DATA_DIR="", DEBRIEF_TIMEZONE="", SLACK_BOT_TOKEN="")
    assert settings.redis_url is None and settings.timezone is None  # type: ignore[attr-defined]
    assert str(settings.data_dir) not in ("", ".")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"REDIS_URL": "redis://:pw@host:notaport/0"}, "REDIS_URL: not a valid URL"),
        ({"REDIS_URL": "http://localhost"}, "REDIS_URL: must start with redis://"),
        ({"DEBRIEF_TIMEZONE": "X" * 300}, "DEBRIEF_TIMEZONE: unknown time zone"),
        ({"DISCORD_GUILD_IDS": "123,abc"}, "DISCORD_GUILD_IDS: 'abc' is not a server id"),
        ({"DEBRIEF_HEALTH_PORT": "70000"}, "DEBRIEF_HEALTH_PORT: must be less than or equal to 65535"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN: needed too for Slack in socket mode"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_MODE": "http"},
            "SLACK_SIGNING_SECRET: needed too for Slack in http mode",
        ),
        (
            {"SLACK_APP_TOKEN": "xoxb-wrong-kind", "SLACK_BOT_TOKEN": "xoxb-1"},
            "SLACK_APP_TOKEN: must be an app-level token",
        ),
        ({"DEBRIEF_CONTENT_DIRS": "/does/not/exist"}, "DEBRIEF_CONTENT_DIRS: /does/not/exist is not a directory"),
        ({"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL: must be an http:// or https:// URL"),
        ({"REDIS_CLUSTER": "true"}, "REDIS_CLUSTER: needs REDIS_URL naming one node"),
        (
            {"REDIS_CLUSTER": "true", "REDIS_URL": "unix:///tmp/r.sock"},
            "REDIS_CLUSTER: needs REDIS_URL naming one node",
        ),
        ({"REDIS_CLUSTER": "maybe", "REDIS_URL": "redis://h:7000"}, "REDIS_CLUSTER: "),
    ],
)
def test_bad_values_are_named(monkeypatch: pytest.MonkeyPatch, values: dict[str, str], message: str) -> None:
    with pytest.raises(SettingError) as raised:
        load(monkeypatch, **values)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_secrets_are_never_in_the_message(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingError) as raised:
        load(monkeypatch, REDIS_URL="redis://:topsecret@host:port/0")
    assert "topsecret" not in str(raised.value)
    with pytest.raises(SettingError) as raised:
        load(monkeypatch, SLACK_BOT_TOKEN="not-a-real-secret-value")
    assert "not-a-real-secret-value" not in str(raised.value)


def test_redis_address_hides_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load(monkeypatch, REDIS_URL="redis://user:pw@cache.internal:6380/2")
    assert settings.redis_address() == "redis://cache.internal:6380/2"  # type: ignore[attr-defined]


def test_case_of_choices_does_not_matter(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load(monkeypatch, LOG_LEVEL="debug", SLACK_MODE="HTTP", LOG_FORMAT="JSON")
    assert (settings.log_level, settings.slack_mode, settings.log_format) == ("DEBUG", "http", "json")  # type: ignore[attr-defined]


INSTALLS = {"SLACK_CLIENT_ID": "1234.5678", "SLACK_CLIENT_SECRET": "s3cr3t-client", "SLACK_SIGNING_SECRET": "sig"}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"SLACK_CLIENT_ID": "1234.5678"},
            "SLACK_CLIENT_SECRET: needed too for workspaces to install the app (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET "
            "and SLACK_SIGNING_SECRET); see .env.example",
        ),
        ({"SLACK_CLIENT_SECRET": "s3cr3t-client"}, "SLACK_CLIENT_ID: needed too for workspaces to install the app"),
        (
            {"SLACK_CLIENT_ID": "1234.5678", "SLACK_CLIENT_SECRET": "s3cr3t-client"},
            "SLACK_SIGNING_SECRET: needed too for workspaces to install the app",
        ),
        ({**INSTALLS, "SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_BOT_TOKEN: set it for one workspace, or SLACK_CLIENT_ID"),
        ({**INSTALLS, "SLACK_MODE": "socket"}, "SLACK_MODE: the install flow (SLACK_CLIENT_ID) serves HTTP"),
        ({**INSTALLS, "SLACK_CLIENT_ID": "my-app"}, "SLACK_CLIENT_ID: must be the app's Client ID"),
        ({**INSTALLS, "SLACK_CLIENT_SECRET": "two words"}, "SLACK_CLIENT_SECRET: must be a single word"),
    ],
)
def test_a_half_configured_install_flow_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, values: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingError) as raised:
        load(monkeypatch, **values)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value) and "s3cr3t-client" not in str(raised.value)


def test_the_install_flow_serves_http_and_counts_as_slack_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load(monkeypatch, **INSTALLS)
    assert settings.slack_mode == "http" and settings.slack_installs and settings.slack_configured  # type: ignore[attr-defined]
    assert load(monkeypatch, **INSTALLS, SLACK_MODE="http").slack_configured  # type: ignore[attr-defined]


def test_token_mode_is_not_the_install_flow(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load(monkeypatch, SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xapp-1")
    assert settings.slack_mode == "socket" and not settings.slack_installs and settings.slack_configured  # type: ignore[attr-defined]


def test_redis_cluster_is_off_unless_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load(monkeypatch, REDIS_URL="redis://h:7000").redis_cluster is False  # type: ignore[attr-defined]
    settings = load(monkeypatch, REDIS_URL="redis://node-1.internal:7000/0", REDIS_CLUSTER="true")
    assert settings.redis_cluster is True  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"DEBRIEF_LLM_BASE_URL": "localhost:11434/v1", "DEBRIEF_LLM_MODEL": "m"}, "DEBRIEF_LLM_BASE_URL: must be"),
        ({"DEBRIEF_LLM_BASE_URL": "http://localhost:11434/v1"}, "DEBRIEF_LLM_MODEL: needed with DEBRIEF_LLM_BASE_URL"),
        ({"DEBRIEF_LLM_MODEL": "llama3.1:8b"}, "DEBRIEF_LLM_BASE_URL: needed with DEBRIEF_LLM_MODEL"),
        ({"DEBRIEF_LLM_API_KEY": "sk-abc"}, "DEBRIEF_LLM_BASE_URL: needed with DEBRIEF_LLM_API_KEY"),
        (
            {"DEBRIEF_LLM_BASE_URL": "http://h/v1", "DEBRIEF_LLM_MODEL": "two words"},
            "DEBRIEF_LLM_MODEL: must be the model's name",
        ),
        (
            {"DEBRIEF_LLM_BASE_URL": "http://h/v1", "DEBRIEF_LLM_MODEL": "m", "DEBRIEF_LLM_TIMEOUT_SECONDS": "0"},
            "DEBRIEF_LLM_TIMEOUT_SECONDS: must be greater than 0 (got '0')",
        ),
        (
            {"DEBRIEF_LLM_BASE_URL": "http://h/v1", "DEBRIEF_LLM_MODEL": "m", "DEBRIEF_LLM_TIMEOUT_SECONDS": "nan"},
            "DEBRIEF_LLM_TIMEOUT_SECONDS: must be a number of seconds (got 'nan')",
        ),
        (
            {"DEBRIEF_LLM_BASE_URL": "http://me:sk-abc@h/v1", "DEBRIEF_LLM_MODEL": "m"},
            "DEBRIEF_LLM_BASE_URL: must not carry a user or password",
        ),
        ({"DEBRIEF_LLM_DAILY_BUDGET": "lots"}, "DEBRIEF_LLM_DAILY_BUDGET: must be a whole number"),
    ],
)
def test_bad_model_settings_are_named(monkeypatch: pytest.MonkeyPatch, values: dict[str, str], message: str) -> None:
    with pytest.raises(SettingError) as raised:
        load(monkeypatch, **values)
    assert str(raised.value).startswith(message)
    assert "sk-abc" not in str(raised.value)


def test_a_model_is_configured_by_its_url_and_name_and_its_key_stays_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load(
        monkeypatch,
        DEBRIEF_LLM_BASE_URL="http://localhost:11434/v1",
        DEBRIEF_LLM_MODEL="llama3.1:8b",
        DEBRIEF_LLM_API_KEY="sk-very-secret",
    )
    assert settings.model_configured  # type: ignore[attr-defined]
    assert settings.llm_timeout_seconds == 8.0 and settings.llm_daily_budget == 500  # type: ignore[attr-defined]
    assert "sk-very-secret" not in repr(settings)
    assert not load(monkeypatch, DEBRIEF_LLM_BASE_URL="", DEBRIEF_LLM_MODEL="", DEBRIEF_LLM_API_KEY="").model_configured  # type: ignore[attr-defined]
