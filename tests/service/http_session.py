"""A person's session with a served county (real HTTP, cookies, CSRF): sign in, open pages, post forms, follow a
job until it ends."""

from __future__ import annotations

import http.cookiejar
import json
import time
import urllib.parse
import urllib.request
import uuid


class Session:
    def __init__(self, base: str, username: str, password: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.post("/login/", {"username": username, "password": password})
        assert any(c.name == "sessionid" for c in self.jar), f"{username} could not sign in"

    def _token(self) -> str:
        if not any(c.name == "csrftoken" for c in self.jar):
            self.get("/login/")
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def get(self, path: str) -> str:
        with self.opener.open(f"{self.base}{path}", timeout=60) as response:
            return response.read().decode()

    def get_bytes(self, path: str) -> bytes:
        with self.opener.open(f"{self.base}{path}", timeout=120) as response:
            return response.read()

    def post(self, path: str, fields: dict[str, str]) -> tuple[str, str]:
        """The page a form post ends on, and its address (after redirects)."""
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self._token()}).encode()
        request = urllib.request.Request(f"{self.base}{path}", data=data, headers={"Referer": f"{self.base}{path}"})
        with self.opener.open(request, timeout=60) as response:
            return response.read().decode(), response.url

    def post_bytes(self, path: str, fields: dict[str, str]) -> bytes:
        """What a form post downloads (an export)."""
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self._token()}).encode()
        request = urllib.request.Request(f"{self.base}{path}", data=data, headers={"Referer": f"{self.base}{path}"})
        with self.opener.open(request, timeout=120) as response:
            return response.read()

    def upload(self, path: str, fields: dict[str, str], name: str, data: bytes, field: str = "file") -> tuple[str, str]:
        """A form post with one file (multipart, as a browser sends it): the page it ends on and its address."""
        boundary = f"----docgen{uuid.uuid4().hex}"
        parts = []
        for key, value in {**fields, "csrfmiddlewaretoken": self._token()}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(f"{self.base}{path}", data=body, headers={
            "Referer": f"{self.base}{path}", "Content-Type": f"multipart/form-data; boundary={boundary}"})
        with self.opener.open(request, timeout=120) as response:
            return response.read().decode(), response.url

    def status(self, job: int) -> dict:
        return json.loads(self.get(f"/jobs/{job}/status/"))

    def wait(self, job: int, timeout: float = 600, until=lambda s: s["finished"]) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.status(job)
            if until(state):
                return state
            time.sleep(0.5)
        raise AssertionError(f"job {job} did not get there in {timeout} s: {self.status(job)}")
