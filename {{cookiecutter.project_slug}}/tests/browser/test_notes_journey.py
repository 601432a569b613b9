"""The notes in a real browser: add one with the dashboard's form, edit it, then delete it."""

from tests.browser.conftest import log_in, log_out, submit


def test_add_a_note_edit_it_then_delete_it(instances, context, account, screenshot):
    first = instances[0]
    page = context.new_page()
    log_in(page, first.url, account)

    page.fill("input[name=title]", "Buy milk")
    page.fill("textarea[name=body]", "Two litres")
    submit(page, "form.note-form [type=submit]", first.url + "/dashboard")
    screenshot(page, "1-note-added")
    assert page.locator(".note .note-title").all_inner_texts() == ["Buy milk"]
    assert page.locator(".flash-success").inner_text() == "Note added."

    submit(page, ".note .note-actions a:text-is('Edit')", "**/notes/*/edit")
    assert page.input_value("input[name=title]") == "Buy milk"
    page.fill("input[name=title]", "Buy oat milk")
    submit(page, "form.note-form [type=submit]", first.url + "/dashboard")
    screenshot(page, "2-note-edited")
    assert page.locator(".note .note-title").all_inner_texts() == ["Buy oat milk"]
    assert page.locator(".flash-success").inner_text() == "Note saved."

    submit(page, ".note .note-actions a:text-is('Delete')", "**/notes/*/delete")
    screenshot(page, "3-delete-asked")
    submit(page, "form.note-delete button.danger", first.url + "/dashboard")
    screenshot(page, "4-note-deleted")
    assert page.locator(".note").count() == 0
    assert page.locator(".flash-success").inner_text() == "Note deleted."

    log_out(page, first.url)
