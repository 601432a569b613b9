"""The notes in a real browser: add one with the dashboard's form, then delete it."""

from tests.browser.conftest import log_in, log_out, submit


def test_add_a_note_then_delete_it(instances, context, account, screenshot):
    first = instances[0]
    page = context.new_page()
    log_in(page, first.url, account)

    page.fill("input[name=title]", "Buy milk")
    page.fill("textarea[name=body]", "Two litres")
    submit(page, "form.note-form [type=submit]", first.url + "/dashboard")
    screenshot(page, "1-note-added")
    assert page.locator(".note .note-title").all_inner_texts() == ["Buy milk"]
    assert page.locator(".flash-success").count() == 1

    submit(page, ".note form.note-delete button", first.url + "/dashboard")
    screenshot(page, "2-note-deleted")
    assert page.locator(".note").count() == 0

    log_out(page, first.url)
