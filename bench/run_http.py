"""Parley over HTTP against its two floors (issue 14). Run by hand: see bench/README.md.

Builds the data set in its own PostgreSQL database (bench/dataset.py), starts
Parley, the Django floor (bench/floor_django.py) and the WSGI floor
(bench/floor_wsgi.py) under gunicorn with 2 sync workers each, counts each
endpoint's queries in-process, then runs wrk at concurrency 1 and 8 against
every endpoint and both floors, interleaved (the order rotates each round),
for several rounds. Prints a table and writes JSON: requests/s, p50/p99,
queries per request, ratios to each floor, the depth pairs and posting into
one conversation vs separate ones. `--before DIR` adds another Parley tree
(e.g. `git archive main | tar -x -C DIR`) as one more interleaved variant.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
PORTS = {"parley": 18501, "django_floor": 18502, "wsgi_floor": 18503, "before": 18504}


def _env(database_url):
    return {
        **os.environ,
        "ENV_FILE": "",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-" + "k" * 50,
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "CAMPAIGN_API_RATE_LIMIT": "1000000000",
        "CAMPAIGN_API_SUBSCRIBER_RATE_LIMIT": "1000000000",
        "WORKSPACE_API_RATE_LIMIT": "1000000000",
        "WEB_CONCURRENCY": "2",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "FLOOR_DSN": database_url,
    }


def _fresh_database(database_url, env):
    url = urlparse(database_url)
    args = ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username]
    name = url.path.lstrip("/")
    subprocess.run(["dropdb", *args, "--if-exists", name], check=True)
    subprocess.run(["createdb", *args, name], check=True)
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )


def _start(name, env, tree):
    port = PORTS[name]
    common = ["--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    if name in ("parley", "before"):
        command = [GUNICORN, "--config", "gunicorn.conf.py", *common, "config.wsgi"]
        cwd = tree
    elif name == "django_floor":
        env = {**env, "DJANGO_SETTINGS_MODULE": "floor_django_settings"}
        command = [GUNICORN, *common, "--pythonpath", f"{BENCH},{ROOT}", "floor_django"]
        cwd = ROOT
    else:
        command = [GUNICORN, *common, "--pythonpath", str(BENCH), "floor_wsgi"]
        cwd = ROOT
    process = subprocess.Popen(command, cwd=cwd, env={**env, "PYTHONPATH": str(tree)})
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except urllib.error.HTTPError:
            break  # the floors answer 404/500 there: up
        except OSError:
            time.sleep(0.2)
    return process


def _endpoints(data):
    """name -> {variant: request}; a request is (method, path, token, bodies or None)."""
    w, t = data["workspace"], data["tokens"]
    big, kb, c = data["big"], data["kanka_big"], data["campaign"]
    kanka_messages = f"/api/1.0/campaigns/{c}/conversations/{kb}/conversation_messages"
    last_page = -(-data["kanka_big_messages"] // 15)
    one, separate = data["post_targets"][:1], data["post_targets"]

    def twist_posts(ids):
        return [json.dumps({"conversation_id": i, "content": "Posted by wrk"}) for i in ids]

    def floor_posts(ids, user):
        return [f"/post?conversation={i}&user={user}" for i in ids]

    heavy, light = data["heavy"], data["light"]
    reads = {
        "conversations/get limit 50": (
            f"/api/v1/conversations/get?workspace_id={w}&limit=50",
            t["heavy"],
            f"/conversations?workspace={w}&user={heavy}&limit=50",
        ),
        "conversation_messages/get newest": (
            f"/api/v1/conversation_messages/get?conversation_id={big}&limit=50",
            t["heavy"],
            f"/messages?conversation={big}&limit=50",
        ),
        "conversation_messages/get oldest": (
            f"/api/v1/conversation_messages/get?conversation_id={big}&limit=50&order_by=ASC",
            t["heavy"],
            f"/messages?conversation={big}&limit=50&order=asc",
        ),
        "get_unread, in 100": (
            f"/api/v1/conversations/get_unread?workspace_id={w}",
            t["light"],
            f"/unread?workspace={w}&user={light}",
        ),
        "get_unread, in 10,000": (
            f"/api/v1/conversations/get_unread?workspace_id={w}",
            t["heavy"],
            f"/unread?workspace={w}&user={heavy}",
        ),
        "Kanka conversations page 1": (
            f"/api/1.0/campaigns/{c}/conversations",
            t["kanka"],
            f"/campaign_conversations?campaign={c}",
        ),
        "Kanka messages page 1": (
            kanka_messages,
            t["kanka"],
            f"/campaign_messages?conversation={kb}&page=1",
        ),
        "Kanka messages last page": (
            f"{kanka_messages}?page={last_page}",
            t["kanka"],
            f"/campaign_messages?conversation={kb}&page={last_page}",
        ),
    }
    endpoints = {}
    for name, (path, token, floor) in reads.items():
        app = ("GET", [path], token, None)
        endpoints[name] = {"app": app, "floor": ("GET", [floor], None, None)}
    for name, ids in (("posting, one conversation", one), ("posting, separate", separate)):
        endpoints[name] = {
            "app": ("POST", ["/api/v1/conversation_messages/add"], t["heavy"], twist_posts(ids)),
            "floor": ("POST", floor_posts(ids, heavy), None, ["Posted by wrk"]),
        }
    kanka_body = json.dumps({"message": "Posted by wrk"})
    target = data["kanka_post_target"]
    kanka_posts = f"/api/1.0/campaigns/{c}/conversations/{target}/conversation_messages"
    endpoints["Kanka message POST"] = {
        "app": ("POST", [kanka_posts], t["kanka"], [kanka_body]),
        "floor": ("POST", floor_posts([target], data["kanka"]), None, ["Posted by wrk"]),
    }
    return endpoints


LUA = """
local paths = {%(paths)s}
local bodies = {%(bodies)s}
local n = 0
local offset = 0
wrk.method = "%(method)s"
wrk.headers["Content-Type"] = "application/json"
%(auth)s
function setup(thread) thread:set("offset", #__threads) table.insert(__threads, thread) end
function init(args) offset = tonumber(wrk.thread:get("offset")) or 0 end
function request()
  n = n + 1
  local i = (n + offset) %% math.max(#paths, #bodies) + 1
  local path = paths[(i - 1) %% #paths + 1]
  local body = nil
  if #bodies > 0 then body = bodies[(i - 1) %% #bodies + 1] end
  return wrk.format(nil, path, nil, body)
end
"""


def _lua(request):
    method, paths, token, bodies = request
    quote = json.dumps
    return "__threads = {}\n" + LUA % {
        "paths": ", ".join(quote(p) for p in paths),
        "bodies": ", ".join(quote(b) for b in bodies or []),
        "method": method,
        "auth": f'wrk.headers["Authorization"] = "Bearer {token}"' if token else "",
    }


def _wrk(port, request, concurrency, duration, scripts):
    script = scripts / f"{abs(hash((port, json.dumps(request))))}.lua"
    script.write_text(_lua(request))
    threads = min(concurrency, 2)
    output = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{concurrency}",
            f"-d{duration}s",
            "--timeout",
            "30s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        raise RuntimeError(f"wrk saw errors on {request[1][0]}:\n{output}")
    timeouts = re.search(r"timeout (\d+)", output)
    return {
        "timeouts": int(timeouts.group(1)) if timeouts else 0,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
        "p99_ms": _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
    }


def _ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def _queries(endpoints):
    """Queries per request of each Parley endpoint and Django floor route, in-process."""
    import django
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    django.setup()
    counts = {}
    for name, variants in endpoints.items():
        for variant, urlconf in (("app", None), ("floor", "floor_django")):
            method, paths, token, bodies = variants[variant]
            headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
            client = Client(HTTP_HOST="127.0.0.1")
            settings = {"ROOT_URLCONF": urlconf, "MIDDLEWARE": []} if urlconf else {}
            body = bodies[0] if bodies else None
            with override_settings(**settings):
                # Warm: a token's first use in a minute also notes it (one UPDATE).
                _request(client, method, paths[0], body, headers)
                with CaptureQueriesContext(connection) as captured:
                    response = _request(client, method, paths[0], body, headers)
            assert response.status_code in (200, 201), (name, variant, response.content[:300])
            counts[(name, variant)] = len(captured.captured_queries)
    return counts


def _request(client, method, path, body, headers):
    if method == "GET":
        return client.get(path, **headers)
    return client.post(path, body, content_type="application/json", **headers)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="message counts x this")
    parser.add_argument("--duration", type=int, default=3, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, help="another Parley tree, run as 'before'")
    parser.add_argument("--out", type=Path, default=BENCH / "results.json")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the data set of the last run at this scale"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/perf_bench"
        ),
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")
    env = _env(args.database_url)
    os.environ.update(env)
    sys.path[:0] = [str(ROOT), str(BENCH)]

    started = time.perf_counter()
    saved = BENCH / f".dataset-{urlparse(args.database_url).path.lstrip('/')}.json"
    import django

    if args.reuse and saved.exists() and json.loads(saved.read_text())["scale"] == args.scale:
        django.setup()
        data = json.loads(saved.read_text())
        print(f"reusing the data set of {saved}")
    else:
        _fresh_database(args.database_url, env)
        django.setup()
        from dataset import generate

        print(f"database migrated in {time.perf_counter() - started:.0f} s")
        data = generate(scale=args.scale)
        print(
            f"data set generated in {time.perf_counter() - started:.0f} s:"
            f" {data['big_messages']:,} messages in one conversation,"
            f" {data['kanka_big_messages']:,} in one campaign's"
        )
        # Bench tokens of a throwaway database, kept for --reuse.
        saved.write_text(json.dumps(data))

    endpoints = _endpoints(data)
    queries = _queries(endpoints)
    variants = {"parley": "app", "django_floor": "floor", "wsgi_floor": "floor"}
    trees = {"parley": ROOT, "django_floor": ROOT, "wsgi_floor": ROOT}
    if args.before:
        variants["before"], trees["before"] = "app", args.before.resolve()
    processes = [_start(name, env, trees[name]) for name in variants]
    runs = {}
    try:
        scripts = Path(tempfile.mkdtemp(prefix="parley-bench-"))
        order = list(variants)
        for round_number in range(args.rounds):
            for name, requests in endpoints.items():
                concurrencies = [8] if name == "posting, separate" else [1, 8]
                for concurrency in concurrencies:
                    for variant in order:
                        result = _wrk(
                            PORTS[variant],
                            requests[variants[variant]],
                            concurrency,
                            args.duration,
                            scripts,
                        )
                        runs.setdefault((name, concurrency, variant), []).append(result)
            order = order[1:] + order[:1]  # A/B: the next round starts with the next variant
            print(f"round {round_number + 1}/{args.rounds} done")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait()

    results = _summarise(runs, queries, variants)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} · {os.cpu_count()} CPUs · {platform.platform()}",
        "command": " ".join(sys.argv),
        "scale": args.scale,
        "duration_s": args.duration,
        "rounds": args.rounds,
        "data": {k: v for k, v in data.items() if k != "tokens"},
        "results": results,
        "depth": _depth(results),
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(_table(report))
    print(f"written to {args.out}")


def _summarise(runs, queries, variants):
    results = []
    for (name, concurrency, variant), samples in runs.items():
        results.append(
            {
                "endpoint": name,
                "concurrency": concurrency,
                "variant": variant,
                "rps": statistics.median(s["rps"] for s in samples),
                "p50_ms": statistics.median(s["p50_ms"] for s in samples),
                "p99_ms": statistics.median(s["p99_ms"] for s in samples),
                # Counted in this tree only: `before` runs elsewhere.
                "queries": queries.get((name, "app"))
                if variant == "parley"
                else queries.get((name, "floor"))
                if variant == "django_floor"
                else None,
                "rounds": [s["rps"] for s in samples],
            }
        )
    by_key = {(r["endpoint"], r["concurrency"], r["variant"]): r for r in results}
    for r in results:
        for floor in ("django_floor", "wsgi_floor"):
            base = by_key.get((r["endpoint"], r["concurrency"], floor))
            r[f"ratio_{floor}"] = round(r["rps"] / base["rps"], 3) if base else None
    return results


def _depth(results):
    """Cost ratios (time per request = 1 / rps) of the deep case over the shallow one."""
    rps = {(r["endpoint"], r["concurrency"], r["variant"]): r["rps"] for r in results}
    pairs = {
        "history oldest / newest": (
            "conversation_messages/get oldest",
            "conversation_messages/get newest",
            1,
        ),
        "Kanka last page / page 1": ("Kanka messages last page", "Kanka messages page 1", 1),
        "get_unread 10,000 / 100": ("get_unread, in 10,000", "get_unread, in 100", 1),
        "posting one / separate conversations (c8)": (
            "posting, one conversation",
            "posting, separate",
            8,
        ),
    }
    depth = {}
    for label, (deep, shallow, concurrency) in pairs.items():
        for variant in sorted({v for _, _, v in rps}):
            if (deep, concurrency, variant) in rps and (shallow, concurrency, variant) in rps:
                depth.setdefault(label, {})[variant] = round(
                    rps[(shallow, concurrency, variant)] / rps[(deep, concurrency, variant)], 2
                )
    return depth


def _table(report):
    variants = sorted(
        {r["variant"] for r in report["results"]},
        key=["parley", "before", "django_floor", "wsgi_floor"].index,
    )
    lines = [
        f"{report['date']} · {report['machine']} · scale {report['scale']}"
        f" · {report['rounds']} rounds x {report['duration_s']} s",
        "",
        "| endpoint | c | "
        + " | ".join(f"{v} req/s (p50/p99 ms)" for v in variants)
        + " | queries (floor) | ÷ Django floor | ÷ WSGI floor |",
        "| --- | --- |" + " --- |" * (len(variants) + 3),
    ]
    by_key = {(r["endpoint"], r["concurrency"], r["variant"]): r for r in report["results"]}
    for name, concurrency in dict.fromkeys(
        (r["endpoint"], r["concurrency"]) for r in report["results"]
    ):
        cells = []
        for v in variants:
            r = by_key.get((name, concurrency, v))
            cells.append(f"{r['rps']:.0f} ({r['p50_ms']:.1f}/{r['p99_ms']:.1f})" if r else "")
        app = by_key[(name, concurrency, "parley")]
        floor = by_key[(name, concurrency, "django_floor")]
        queries = f"{app['queries']} ({floor['queries']})"
        lines.append(
            f"| {name} | {concurrency} | "
            + " | ".join(cells)
            + f" | {queries} | {app['ratio_django_floor']:.2f} | {app['ratio_wsgi_floor']:.2f} |"
        )
    lines += ["", "Depth (cost of the deep case ÷ the shallow one):", ""]
    for label, values in report["depth"].items():
        lines.append(f"- {label}: " + ", ".join(f"{v} {x}x" for v, x in values.items()))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
