"""``GET /admin/export``: the export archive as a download, for administrators only."""

import tempfile
from pathlib import Path

from fastapi import APIRouter, BackgroundTasks
from fastapi.responses import FileResponse

from app.archive.export import export_audited
from app.db import get_engine
from app.deps import AdminUser, WriteSessionDep
from app.models import utcnow

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/admin/export")
def download_export(session: WriteSessionDep, admin: AdminUser, tasks: BackgroundTasks):
    """Build the archive in a temporary folder, send it, then delete it.

    Taking all data out is logged in the audit log, like every other change of hands.
    """
    folder = Path(tempfile.mkdtemp(prefix="duiding-export-"))
    name = f"duiding-export-{utcnow():%Y-%m-%d}.zip"
    export_audited(session=session, engine=get_engine(), target=folder / name, user=admin)
    tasks.add_task(_remove, folder)
    return FileResponse(folder / name, media_type="application/zip", filename=name)


def _remove(folder: Path) -> None:
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
