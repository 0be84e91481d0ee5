"""A fake of Google's OAuth token endpoint and the Drive v3 API as
backup-gdrive uses them (shared/design/EXTERNAL-APIS.md §5), for
tests/e2e/test_backup_*.py. Built on tests/fakes/cdek/fakehttp.py (the
/_ctl/ fault, clear and requests controls come from there).

Token endpoint, POST /token (application/x-www-form-urlencoded):
  grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>
      the JWT is checked as Google does: RS256 signature by the public key of
      the service account named in "iss" (GDriveFake.add_service_account),
      "aud" = this endpoint, exp - iat <= 3600, a drive scope. A key that was
      deleted (revoke_key) or a bad signature → 400
      {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
  grant_type=refresh_token&client_id&client_secret&refresh_token
      a user's OAuth client (add_oauth_user); a revoked token → 400
      invalid_grant "Token has been expired or revoked."
  → {"access_token": "ya29.fake-N", "expires_in": 3599, "token_type": "Bearer"}

Drive (every call needs "Authorization: Bearer <token>"; an unknown or
expired one — expire_tokens() — gets 401 UNAUTHENTICATED, as Google's does):
  POST /upload/drive/v3/files?uploadType=multipart   multipart/related: JSON metadata + bytes
  POST /upload/drive/v3/files?uploadType=resumable   JSON metadata, X-Upload-Content-Length
       → 200, Location: <this>/upload/drive/v3/files?uploadType=resumable&upload_id=<id>
  PUT  <session URI>   Content-Range: bytes a-b/total → 308 + "Range: bytes=0-N" until the
       last byte, then 200 + the file; "bytes */total" asks how much is stored; chunks other
       than the last must be multiples of 256 KiB; an unknown session → 404
  GET  /drive/v3/files?q=...&pageSize&pageToken   the q subset backup-gdrive sends:
       '<id>' in parents, trashed = false, appProperties has { key='k' and value='v' }
  GET  /drive/v3/files/<id>?alt=media                the bytes
  DELETE /drive/v3/files/<id>                        204; unknown → 404
Where the files go: a folder made with add_folder(id, shared=True) is on a shared
drive (supportsAllDrives=true is then required, else 404 notFound, as Drive
does). A service account writing into a folder that is NOT on a shared drive
gets the §5.3 trap: 403 storageQuotaExceeded "Service Accounts do not have
storage quota…". set_quota(bytes) limits a user's Drive (403
storageQuotaExceeded "The user's Drive storage quota has been exceeded.").
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any, Dict, Optional

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cdek"))
from fakehttp import Fake, Response  # noqa: E402

CHUNK_UNIT = 256 * 1024
SA_NO_QUOTA = ("Service Accounts do not have storage quota. Leverage shared drives "
               "(https://developers.google.com/workspace/drive/api/guides/about-shareddrives), or use OAuth "
               "delegation (http://support.google.com/a/answer/7281227) instead.")


def _b64d(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def _drive_error(code: int, reason: str, message: str, status: str = "") -> Response:
    err = {"code": code, "message": message,
           "errors": [{"message": message, "domain": "usageLimits" if "Quota" in reason else "global",
                       "reason": reason}]}
    if status:
        err["status"] = status
    return Response(code, {"error": err})


class GDriveFake(Fake):
    name = "fake-gdrive"

    def __init__(self) -> None:
        super().__init__()
        self.sa_keys: Dict[str, Any] = {}          # client_email -> public key
        self.revoked: set = set()                  # emails and refresh tokens Google no longer accepts
        self.users: Dict[str, dict] = {}           # client_id -> {"secret", "refresh_token", "email"}
        self.tokens: Dict[str, dict] = {}          # access token -> {"who", "sa"}
        self.folders: Dict[str, dict] = {}         # id -> {"shared": bool}
        self.files: Dict[str, dict] = {}           # id -> {"name", "parents", "appProperties", "data", "createdTime"}
        self.sessions: Dict[str, dict] = {}        # upload_id -> {"meta", "total", "data": bytearray, "who", "sa"}
        self.quota: Optional[int] = None
        self.ids = itertools.count(1)
        self.issued = 0

    # ---- set-up
    def add_service_account(self, email: str, public_pem: bytes) -> None:
        with self.lock:
            self.sa_keys[email] = serialization.load_pem_public_key(public_pem)

    def add_oauth_user(self, client_id: str, secret: str, refresh_token: str, email: str = "owner@gmail.com") -> None:
        with self.lock:
            self.users[client_id] = {"secret": secret, "refresh_token": refresh_token, "email": email}

    def revoke_key(self, who: str) -> None:
        """a service account's key deleted, or a refresh token revoked"""
        with self.lock:
            self.revoked.add(who)

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def add_folder(self, folder_id: str, shared: bool = True) -> None:
        with self.lock:
            self.folders[folder_id] = {"shared": shared}

    def set_quota(self, nbytes: Optional[int]) -> None:
        with self.lock:
            self.quota = nbytes

    def add_file(self, parent: str, name: str, data: bytes = b"x", app: Optional[dict] = None,
                 created: Optional[float] = None) -> str:
        """a file somebody else put in the folder (retention must leave it alone)"""
        with self.lock:
            fid = f"other-{next(self.ids)}"
            self.files[fid] = {"name": name, "parents": [parent], "appProperties": app or {}, "data": data,
                               "createdTime": created or time.time()}
            return fid

    def backups(self) -> Dict[str, dict]:
        with self.lock:
            return {k: dict(v) for k, v in self.files.items() if v["appProperties"].get("walor") == "backup"}

    @property
    def token_url(self) -> str:
        return self.url + "/token"

    # ---- the endpoints
    def handle(self, method: str, path: str, q: dict, hdrs: dict, body: Any) -> Response:
        if path == "/token" and method == "POST":
            return self._token(body if isinstance(body, bytes) else json.dumps(body).encode())
        who = self._auth(hdrs)
        if who is None:
            return _drive_error(401, "authError", "Request had invalid authentication credentials. Expected OAuth 2 "
                                "access token, login cookie or other valid authentication credential.",
                                "UNAUTHENTICATED")
        if path == "/upload/drive/v3/files" and method == "POST":
            if q.get("uploadType") == "multipart":
                return self._multipart(q, hdrs, body, who)
            if q.get("uploadType") == "resumable":
                return self._resumable_start(q, hdrs, body, who)
            return Response(400, {"error": {"code": 400, "message": "bad uploadType"}})
        if path == "/upload/drive/v3/files" and method == "PUT":
            return self._resumable_put(q, hdrs, body)
        if path == "/drive/v3/files" and method == "GET":
            return self._list(q)
        m = re.fullmatch(r"/drive/v3/files/([^/]+)", path)
        if m and method == "GET" and q.get("alt") == "media":
            with self.lock:
                f = self.files.get(m.group(1))
            if not f:
                return _drive_error(404, "notFound", f"File not found: {m.group(1)}.")
            return Response(200, bytes(f["data"]))
        if m and method == "DELETE":
            with self.lock:
                f = self.files.pop(m.group(1), None)
            if not f:
                return _drive_error(404, "notFound", f"File not found: {m.group(1)}.")
            return Response(204, b"")
        return Response(404, {"error": {"code": 404, "message": f"no route {method} {path}"}})

    def _token(self, raw: bytes) -> Response:
        form = {k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode(), keep_blank_values=True).items()}
        grant = form.get("grant_type")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            who = self._check_jwt(form.get("assertion", ""))
            if isinstance(who, Response):
                return who
            sa = True
        elif grant == "refresh_token":
            u = self.users.get(form.get("client_id", ""))
            if not u or u["secret"] != form.get("client_secret"):
                return Response(401, {"error": "invalid_client", "error_description": "The OAuth client was not found."})
            if form.get("refresh_token") != u["refresh_token"] or u["refresh_token"] in self.revoked:
                return Response(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
            who, sa = u["email"], False
        else:
            return Response(400, {"error": "unsupported_grant_type", "error_description": f"Invalid grant_type: {grant}"})
        with self.lock:
            self.issued += 1
            tok = f"ya29.fake-{self.issued}"
            self.tokens[tok] = {"who": who, "sa": sa}
        return Response(200, {"access_token": tok, "expires_in": 3599, "token_type": "Bearer"})

    def _check_jwt(self, jwt: str):
        bad = Response(400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
        try:
            h64, c64, s64 = jwt.split(".")
            header, claims, sig = json.loads(_b64d(h64)), json.loads(_b64d(c64)), _b64d(s64)
        except (ValueError, TypeError):
            return Response(400, {"error": "invalid_grant", "error_description": "Invalid JWT: malformed."})
        if header.get("alg") != "RS256" or "=" in jwt:
            return bad
        key = self.sa_keys.get(claims.get("iss"))
        if key is None or claims.get("iss") in self.revoked:
            return bad
        try:
            key.verify(sig, f"{h64}.{c64}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return bad
        if claims.get("aud") != self.token_url:
            return Response(400, {"error": "invalid_grant", "error_description": "Invalid JWT: aud is not the token URL."})
        if not isinstance(claims.get("iat"), int) or not isinstance(claims.get("exp"), int) or \
                not 0 < claims["exp"] - claims["iat"] <= 3600:
            return Response(400, {"error": "invalid_grant", "error_description": "Invalid JWT: Token must be a "
                                  "short-lived token (60 minutes) and in a reasonable timeframe."})
        if "https://www.googleapis.com/auth/drive" not in claims.get("scope", ""):
            return Response(400, {"error": "invalid_scope", "error_description": "Invalid OAuth scope."})
        return claims["iss"]

    def _auth(self, hdrs: dict) -> Optional[dict]:
        a = hdrs.get("authorization", "")
        if not a.startswith("Bearer "):
            return None
        with self.lock:
            return self.tokens.get(a[7:])

    def _can_write(self, meta: dict, q: dict, who: dict, size: int) -> Optional[Response]:
        parents = meta.get("parents") or []
        folder = self.folders.get(parents[0]) if parents else None
        if folder is None or (folder["shared"] and q.get("supportsAllDrives") != "true"):
            return _drive_error(404, "notFound", f"File not found: {parents[0] if parents else ''}.")
        if who["sa"] and not folder["shared"]:
            return _drive_error(403, "storageQuotaExceeded", SA_NO_QUOTA, "PERMISSION_DENIED")
        used = sum(len(f["data"]) for f in self.files.values())
        if self.quota is not None and used + size > self.quota:
            return _drive_error(403, "storageQuotaExceeded", "The user's Drive storage quota has been exceeded.")
        return None

    def _create(self, meta: dict, data: bytes) -> Response:
        fid = f"file-{next(self.ids)}"
        self.files[fid] = {"name": meta.get("name"), "parents": meta.get("parents") or [],
                           "appProperties": meta.get("appProperties") or {}, "data": bytes(data),
                           "createdTime": time.time()}
        return Response(200, {"kind": "drive#file", "id": fid, "name": meta.get("name"),
                              "mimeType": meta.get("mimeType", "application/octet-stream")})

    def _multipart(self, q: dict, hdrs: dict, body: Any, who: dict) -> Response:
        m = re.search(r"boundary=([^;]+)", hdrs.get("content-type", ""))
        raw = body if isinstance(body, bytes) else b""
        if not hdrs.get("content-type", "").startswith("multipart/related") or not m:
            return Response(400, {"error": {"code": 400, "message": "multipart/related with a boundary expected"}})
        b = m.group(1).strip('"').encode()
        parts = raw.split(b"--" + b)
        if len(parts) < 4 or not parts[-1].startswith(b"--"):
            return Response(400, {"error": {"code": 400, "message": "malformed multipart body"}})
        meta_part, data_part = parts[1], parts[2]
        meta = json.loads(meta_part.split(b"\r\n\r\n", 1)[1].rstrip(b"\r\n"))
        data = data_part.split(b"\r\n\r\n", 1)[1]
        data = data[:-2] if data.endswith(b"\r\n") else data
        with self.lock:
            refused = self._can_write(meta, q, who, len(data))
            return refused or self._create(meta, data)

    def _resumable_start(self, q: dict, hdrs: dict, body: Any, who: dict) -> Response:
        meta = body if isinstance(body, dict) else {}
        total = int(hdrs.get("x-upload-content-length") or -1)
        with self.lock:
            refused = self._can_write(meta, q, who, max(total, 0))
            if refused:
                return refused
            sid = f"up{next(self.ids)}"
            self.sessions[sid] = {"meta": meta, "total": total, "data": bytearray(), "q": q, "who": who}
        return Response(200, {}, {"Location": f"{self.url}/upload/drive/v3/files?uploadType=resumable&upload_id={sid}"})

    def _resumable_put(self, q: dict, hdrs: dict, body: Any) -> Response:
        with self.lock:
            s = self.sessions.get(q.get("upload_id", ""))
            if s is None:
                return _drive_error(404, "notFound", "Upload session not found or expired.")
            got = len(s["data"])
            rng = hdrs.get("content-range", "")
            done_range = {"Range": f"bytes=0-{got - 1}"} if got else {}
            m = re.fullmatch(r"bytes \*/(\d+)", rng)
            if m:                                       # how much is stored?
                if s.get("file"):
                    return Response(200, s["file"])
                return Response(308, b"", done_range)
            m = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", rng)
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            if not m or int(m.group(3)) != s["total"] or int(m.group(2)) - int(m.group(1)) + 1 != len(data):
                return Response(400, {"error": {"code": 400, "message": f"Invalid Content-Range: {rng}"}})
            a, b = int(m.group(1)), int(m.group(2))
            last = b + 1 == s["total"]
            if a > got:
                return Response(400, {"error": {"code": 400, "message": "Content-Range starts past the stored bytes"}})
            if not last and (b + 1 - a) % CHUNK_UNIT:
                return Response(400, {"error": {"code": 400, "message": "chunk size must be a multiple of 256 KiB"}})
            s["data"] += data[got - a:]                 # what Drive already had is skipped
            if not last:
                return Response(308, b"", {"Range": f"bytes=0-{len(s['data']) - 1}"})
            r = self._create(s["meta"], s["data"])
            s["file"] = r.body
            return r

    def _list(self, q: dict) -> Response:
        query = q.get("q", "")
        parent = re.search(r"'([^']+)' in parents", query)
        app = re.search(r"appProperties has \{ key='([^']+)' and value='([^']+)' \}", query)
        with self.lock:
            rows = []
            for fid, f in sorted(self.files.items(), key=lambda kv: -kv[1]["createdTime"]):
                if parent and parent.group(1) not in f["parents"]:
                    continue
                if app and f["appProperties"].get(app.group(1)) != app.group(2):
                    continue
                rows.append({"id": fid, "name": f["name"], "size": str(len(f["data"])),
                             "createdTime": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(f["createdTime"])),
                             "appProperties": f["appProperties"]})
        size = int(q.get("pageSize") or 100)
        start = int(q.get("pageToken") or 0)
        out = {"kind": "drive#fileList", "incompleteSearch": False, "files": rows[start:start + size]}
        if start + size < len(rows):
            out["nextPageToken"] = str(start + size)
        return Response(200, out)

    def control(self, what: str, arg: dict) -> Optional[Response]:
        if what == "expire":
            self.expire_tokens()
            return Response(200, {"ok": True})
        return None


if __name__ == "__main__":
    import argparse
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    f = GDriveFake().start()
    print(f.url, flush=True)
    threading.Event().wait()
