"""The notes' live updates: what each change publishes, and the panel the dashboard reloads."""

import json

import pytest

from tests.conftest import CSRF_TOKEN
from tests.realtime.conftest import WAIT_SECONDS

# Published by the test after each action: Redis delivers a channel's messages in
# the order they were published, so everything the action published comes before it.
END_OF_ACTION = {"event": "test.end-of-action"}


@pytest.fixture
def events(app, redis_client, logged_in):
    """The messages published to ``logged_in``'s channel, read after each action."""
    channel = f"{app.config['REALTIME_KEY_PREFIX']}user:{logged_in.id}"
    pubsub = redis_client.pubsub()
    pubsub.subscribe(channel)
    pubsub.get_message(timeout=WAIT_SECONDS)  # the subscription's confirmation

    def read():
        redis_client.publish(channel, json.dumps(END_OF_ACTION))
        found = []
        while (message := pubsub.get_message(timeout=WAIT_SECONDS)) is not None:
            event = json.loads(message["data"])
            if event == END_OF_ACTION:
                return found
            found.append(event)
        raise AssertionError(f"the end of the action never arrived; read {found}")

    yield read
    pubsub.close()


def csrf(client):
    return CSRF_TOKEN.search(client.get("/dashboard").get_data(as_text=True)).group(1)


def test_adding_a_note_publishes_it_whole(client, events):
    client.post("/notes", data={"csrf_token": csrf(client), "title": "T", "body": "B"})

    (event,) = events()
    assert event["event"] == "note.created"
    fields = {"id", "title", "body", "created_at", "updated_at"}
    assert event["note"].keys() == fields{% if cookiecutter.use_uploads %} | {"attachments"}{% endif %}
    assert (event["note"]["title"], event["note"]["body"]) == ("T", "B")
    assert event["note"]["created_at"] == event["note"]["updated_at"]


def test_a_refused_form_publishes_nothing(client, events):
    client.post("/notes", data={"csrf_token": csrf(client), "title": ""})

    assert events() == []


def test_editing_a_note_on_its_page_publishes_the_change(client, events):
    client.post("/notes", data={"csrf_token": csrf(client), "title": "Draft"})
    (created,) = events()
    note_id = created["note"]["id"]

    client.post(f"/notes/{note_id}/edit", data={"csrf_token": csrf(client), "title": "Final"})

    (event,) = events()
    assert (event["event"], event["note"]["id"]) == ("note.updated", note_id)
    assert event["note"]["title"] == "Final"


def test_deleting_a_note_publishes_its_id(client, events):
    client.post("/notes", data={"csrf_token": csrf(client), "title": "Gone soon"})
    (created,) = events()

    client.post(f"/notes/{created['note']['id']}/delete", data={"csrf_token": csrf(client)})

    assert events() == [{"event": "note.deleted", "note": {"id": created["note"]["id"]}}]


def test_the_dashboard_loads_both_scripts(client, logged_in):
    page = client.get("/dashboard").get_data(as_text=True)

    assert "/realtime/static/realtime.js" in page
    assert "/notes/static/notes-live.js" in page
    assert 'data-socket-path="/ws"' in page
    assert 'data-panel-url="/notes/panel"' in page


@pytest.mark.parametrize("path", ["/realtime/static/realtime.js", "/notes/static/notes-live.js"])
def test_the_scripts_are_served(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    response.close()


def test_the_panel_alone_shows_the_list_and_leaves_flash_messages_for_the_next_page(
    client, logged_in
):
    client.post("/notes", data={"csrf_token": csrf(client), "title": "Listed"})  # flashes

    panel = client.get("/notes/panel").get_data(as_text=True)
    page = client.get("/dashboard").get_data(as_text=True)

    assert 'class="note-title">Listed<' in panel
    assert "<html" not in panel
    assert "flash-success" not in panel
    assert "flash-success" in page


def test_the_panel_is_for_logged_in_users_only(client):
    assert client.get("/notes/panel").status_code == 302
