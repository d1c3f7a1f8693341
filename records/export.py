"""The secure export: the file as a PDF (rendered like the referral summary, by
safeguarding.pdf, which fetches nothing but our own stylesheet) and the same content as JSON,
in a zip encrypted with AES-256 (WinZip AE-2, which Windows 11, 7-Zip and macOS's Archive
Utility open). The password is made here, shown once, and kept nowhere. File names inside the
archive carry the export's reference, never the pupil's name.
"""

import io
import json
import secrets

import pyzipper

from incidents.models import REFERENCE_ALPHABET
from safeguarding.pdf import render_pdf

# Six groups of four from a 32-letter alphabet with no look-alikes: 120 bits, read aloud easily.
PASSWORD_GROUPS = 6


def new_password() -> str:
    groups = (
        "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(4))
        for _ in range(PASSWORD_GROUPS)
    )
    return "-".join(groups)


def render_file_pdf(content: dict) -> bytes:
    return render_pdf("pdf/pupil_file.html", {"file": content})


def file_json(content: dict) -> bytes:
    return json.dumps(content, indent=2, ensure_ascii=False).encode()


def archive_names(reference: str) -> tuple[str, str]:
    return f"child-protection-file-{reference}.pdf", f"child-protection-file-{reference}.json"


def build_archive(content: dict, *, reference: str, password: str) -> bytes:
    pdf_name, json_name = archive_names(reference)
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(
        buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(password.encode())
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        archive.writestr(pdf_name, render_file_pdf(content))
        archive.writestr(json_name, file_json(content))
    return buffer.getvalue()
