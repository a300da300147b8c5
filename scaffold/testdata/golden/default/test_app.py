"""Tests for pyflask; run with `python3 -m unittest`.

Uses only the standard library and Flask's test client, so the tests need
neither a running server nor gunicorn.
"""

import unittest

from app import app


class AppTest(unittest.TestCase):
    def setUp(self):
        self.client = app.test_client()

    def test_index_welcomes(self):
        resp = self.client.get("/")
        self.assertEqual(resp.status_code, 200)
        self.assertIn("pyflask: Welcome to Python Flask Web Service!", resp.get_data(as_text=True))

    def test_health_is_ok(self):
        resp = self.client.get("/health")
        self.assertEqual(resp.status_code, 200)
        self.assertEqual(resp.get_json(), {"status": "ok"})

    def test_unknown_path_is_404(self):
        self.assertEqual(self.client.get("/no-such-page").status_code, 404)


if __name__ == "__main__":
    unittest.main()
