"""``flask files orphans``: keys no row names, and rows without their file."""

import io

from app.extensions import db
from app.files.models import StoredFile
from app.infrastructure.storage import storage_for


def test_storage_and_rows_in_step_report_nothing(runner):
    result = runner.invoke(args=["files", "orphans"])

    assert result.exit_code == 0
    assert "0 key(s) without a row, 0 row(s) without a file." in result.output


def test_a_key_without_a_row_and_a_row_without_a_file_are_reported(app, runner, user):
    with app.app_context():
        storage_for(app).put("attachments/lost", io.BytesIO(b"x"), 1)
        row = StoredFile(
            owner_id=user.id,
            kind="attachment",
            key="attachments/gone",
            size=1,
            content_type="text/plain",
            filename="gone.txt",
        )
        db.session.add(row)
        db.session.commit()
        row_id = row.id

    result = runner.invoke(args=["files", "orphans"])

    assert result.exit_code == 1
    assert "key without row: attachments/lost" in result.output
    assert f"row without file: stored_files.id={row_id} key=attachments/gone" in result.output
