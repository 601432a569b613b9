"""Files in a real browser: a picture chosen in the file picker shows on the dashboard
and in the navigation{% if cookiecutter.use_example_notes %}, and a file attached to a note downloads with its bytes{% endif %}."""

import io

from PIL import Image

from tests.browser.conftest import log_in, submit


def test_upload_files(instances, context, account, screenshot, tmp_path):
    first = instances[0]
    picture = tmp_path / "me.jpg"
    output = io.BytesIO()
    Image.new("RGB", (900, 600), "teal").save(output, "JPEG")
    picture.write_bytes(output.getvalue())
    page = context.new_page()
    log_in(page, first.url, account)

    page.goto(first.url + "/account/avatar")
    page.set_input_files("input[name=avatar]", str(picture))
    submit(page, "main form.form [type=submit]", first.url + "/dashboard")
    screenshot(page, "1-picture")
    images = page.locator("img.avatar").all()
    widths = [image.evaluate("img => img.naturalWidth") for image in images]
    assert widths == [512, 512]  # the dashboard's and the navigation's, redrawn
{%- if cookiecutter.use_example_notes %}

    page.fill("input[name=title]", "Receipts")
    submit(page, "form.note-form [type=submit]", first.url + "/dashboard")
    attachment = tmp_path / "receipt.txt"
    attachment.write_bytes(b"12 eggs\n")
    page.set_input_files(".note input[type=file][name=file]", str(attachment))
    upload_button = ".note form[enctype='multipart/form-data'] [type=submit]"
    submit(page, upload_button, first.url + "/dashboard")
    screenshot(page, "2-attachment")
    with page.expect_download() as download:
        page.click(".note a:has-text('receipt.txt')")
    assert download.value.suggested_filename == "receipt.txt"
    assert download.value.path().read_bytes() == b"12 eggs\n"
{%- endif %}
