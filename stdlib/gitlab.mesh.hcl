# How the GitLab CI target runs steps and tests: one job template per
# runner, and one for tests. A platform team overrides any of these settings
# in its own target "gitlab" block (in mesh.hcl or a platform folder),
# setting by setting: its image, script or variables replace these.
#
# Script lines are shell commands. {{NAME}} stands for the step's argument
# NAME as shell words, quoted so that the shell sees the value exactly;
# {{FLAG NAME}} writes FLAG and the value only when the argument is set.
# A secret argument becomes a reference to the variable that holds it (filled
# from the vault, or a CI/CD variable of the project for a named secret),
# never the value. In HCL, write $${ for a literal ${.
#
# Jobs reach Snowflake through the Snowflake CLI. Its account, user and
# credentials are CI/CD variables of the project (SNOWFLAKE_ACCOUNT,
# SNOWFLAKE_USER, SNOWFLAKE_AUTHENTICATOR, SNOWFLAKE_PRIVATE_KEY_RAW...);
# meshc sets SNOWFLAKE_DATABASE, SNOWFLAKE_SCHEMA (the domain's),
# SNOWFLAKE_WAREHOUSE and SNOWFLAKE_ROLE from the environment. These images install their tools on every run; a
# platform team will want prebuilt images instead.

target "gitlab" {
  granularity       = "product"
  trigger_strategy  = "depend"
  job_limit         = 500
  schedule_limit    = 10
  vault_audience    = "$VAULT_SERVER_URL"
  vault_engine_path = "kv-v2"

  runner "sql" {
    image = "python:3.12-slim"
    script = [
      "pip install --quiet --root-user-action=ignore snowflake-cli",
      "snow sql --temporary-connection --enable-templating NONE --filename {{file}}",
    ]
  }

  runner "python" {
    image  = "python:3.12-slim"
    script = ["python {{script}} {{args}}"]
  }

  runner "shell" {
    image  = "alpine:3.20"
    script = ["sh -c {{command}}"]
  }

  # dbt-labs' own images set ENTRYPOINT ["dbt"], which a GitLab job cannot
  # run its script through: install dbt-snowflake on a plain image. dbt
  # reads its profile from DBT_PROFILES_DIR (a variable of the project).
  # A job starts from a fresh clone, without the dbt_packages folder that
  # dbt init has git ignore: dbt deps installs the project's packages
  # (and says there are none when it has no packages.yml).
  runner "dbt" {
    image = "python:3.12-slim"
    script = [
      "pip install --quiet --root-user-action=ignore 'dbt-snowflake~=1.9.0'",
      "dbt deps {{--project-dir project_dir}}",
      "dbt build --select {{select}} {{--project-dir project_dir}} $${DBT_TARGET:+--target \"$DBT_TARGET\"}",
    ]
  }

  # Talend Cloud: runs the task whose executable id is the step's job, and
  # polls the execution until it ends; the job fails unless it succeeded.
  # TALEND_API_URL is the API of the account's region, such as
  # https://api.eu.cloud.talend.com.
  # Each API call gives up after a minute of silence, so that a connection
  # that hangs cannot hold the worker. A poll that fails so, drops, gets a
  # 5xx, 408 or 429, a 404 before the run has been seen once (the API may
  # not know a new one yet) or a garbled answer is tried again, for 30
  # polls in a row, 20 seconds apart (or as long as a Retry-After header
  # says, in seconds or as a date, from 20 to 120 seconds), rather than
  # failing the step at once, which would
  # leave the job running and make a retry start a second one; another
  # error status fails the step.
  runner "talend" {
    image = "python:3.12-slim"
    script = [
      <<-SH
      meshc_talend() {
      MESHC_TOKEN="$MESHC_TOKEN" python3 - "$@" <<'PY'
      import datetime, email.utils, http.client, json, os, sys, time, urllib.error, urllib.parse, urllib.request
      api, token, task = os.environ.get("TALEND_API_URL", "").strip().rstrip("/"), os.environ["MESHC_TOKEN"].strip(), sys.argv[1]
      if not api:
          sys.exit("talend: TALEND_API_URL is not set: set it to the Talend Cloud API of the account's region")
      if not api.startswith("https://"):
          sys.exit("talend: TALEND_API_URL is not an https:// address, and the token is sent to it")
      if not token:
          sys.exit("talend: the step gives no token, and Talend Cloud's API needs one")
      if not (token.isascii() and token.isprintable()):
          sys.exit("talend: the token holds characters that an HTTP header cannot carry")
      class NoRedirect(urllib.request.HTTPRedirectHandler):
          def redirect_request(self, *args):
              return None  # the token goes to the API alone: a redirect is an error status
      opener = urllib.request.build_opener(NoRedirect)
      def shown(text):
          return "".join(c if c.isprintable() else "?" for c in str(text))  # the API's words, not the terminal's commands
      def call(method, path, body=None):
          data = None if body is None else json.dumps(body).encode()
          headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
          with opener.open(urllib.request.Request(api + path, data, headers, method=method), timeout=60) as r:
              return json.load(r)
      def retry_after(headers):
          after = (headers or {}).get("Retry-After") or ""
          if after.isascii() and after.isdigit():
              after = after.lstrip("0") or "0"  # int() refuses thousands of digits
              return 120 if len(after) > 3 else min(max(int(after), 20), 120)
          try:  # or an HTTP date, which is in GMT even when it says -0000
              when = email.utils.parsedate_to_datetime(after)
              if when.tzinfo is None:
                  when = when.replace(tzinfo=datetime.timezone.utc)
              return min(max(int(when.timestamp() - time.time()), 20), 120)
          except (TypeError, ValueError, OverflowError):
              return 20
      def poll(path, known):
          wait = 0
          for _ in range(30):
              time.sleep(wait)
              wait = 20
              try:
                  answer = call("GET", path)
                  if isinstance(answer, dict) and isinstance(answer.get("status"), str):
                      return answer
                  print("poll got no status, trying again:", shown(answer)[:200], flush=True)
              except urllib.error.HTTPError as e:
                  e.close()
                  if e.code < 500 and e.code not in (408, 429) and (e.code != 404 or known):
                      sys.exit("poll failed: " + shown(e) + "; the remote job may still be running")
                  wait = retry_after(e.headers)
                  print("poll failed, trying again:", shown(e), flush=True)
              except (OSError, ValueError, RecursionError, http.client.HTTPException) as e:
                  print("poll failed, trying again:", shown(e), flush=True)
          sys.exit("30 polls in a row failed; the remote job may still be running")
      try:
          run = call("POST", "/processing/executions", {"executable": task})["executionId"]
      except (OSError, ValueError, LookupError, TypeError, RecursionError, http.client.HTTPException) as e:
          sys.exit("talend: starting the task failed, though it may have started: " + shown(repr(e)))
      if not isinstance(run, (str, int)) or str(run) == "":
          sys.exit("talend: the answer gives no execution id; the task may have started")
      run = str(run)
      print("Talend execution", shown(run), "of", shown(task), flush=True)
      known = False  # a 404 is tried again until the execution is seen: the API may not know it yet
      while True:
          time.sleep(20)
          status = poll("/processing/executions/" + urllib.parse.quote(run, safe=""), known)["status"].upper()
          known = True
          print("status:", shown(status), flush=True)
          if status in ("SUCCESS", "EXECUTION_SUCCESS", "EXECUTION_SUCCESSFUL"):
              sys.exit(0)
          if any(word in status for word in ("FAIL", "CANCEL", "TERMINATED", "REJECTED", "PARTIAL")):
              sys.exit(1)
      PY
      }
      SH
      ,
      "MESHC_TOKEN={{token}} meshc_talend {{job}}",
    ]
  }

  # Alteryx Server: queues a job of the step's workflow through the v3 API
  # and polls it until it completes, or ends in an error or is cancelled;
  # the job fails unless it completes with the disposition Success. ALTERYX_API_URL is the server's API, such as
  # https://alteryx.example.com/webapi; the token is an OAuth bearer token.
  # Each API call gives up after a minute of silence, so that a connection
  # that hangs cannot hold the worker. A poll that fails so, drops, gets a
  # 5xx, 408 or 429, a 404 before the run has been seen once (the API may
  # not know a new one yet) or a garbled answer is tried again, for 30
  # polls in a row, 20 seconds apart (or as long as a Retry-After header
  # says, in seconds or as a date, from 20 to 120 seconds), rather than
  # failing the step at once, which would
  # leave the job running and make a retry start a second one; another
  # error status fails the step.
  runner "alteryx" {
    image = "python:3.12-slim"
    script = [
      <<-SH
      meshc_alteryx() {
      MESHC_TOKEN="$MESHC_TOKEN" python3 - "$@" <<'PY'
      import datetime, email.utils, http.client, json, os, sys, time, urllib.error, urllib.parse, urllib.request
      api, token, workflow = os.environ.get("ALTERYX_API_URL", "").strip().rstrip("/"), os.environ["MESHC_TOKEN"].strip(), sys.argv[1]
      if not api:
          sys.exit("alteryx: ALTERYX_API_URL is not set: set it to the Alteryx Server API")
      if not api.startswith("https://"):
          sys.exit("alteryx: ALTERYX_API_URL is not an https:// address, and the token is sent to it")
      if not token:
          sys.exit("alteryx: the step gives no token, and the Alteryx Server API needs one")
      if not (token.isascii() and token.isprintable()):
          sys.exit("alteryx: the token holds characters that an HTTP header cannot carry")
      class NoRedirect(urllib.request.HTTPRedirectHandler):
          def redirect_request(self, *args):
              return None  # the token goes to the API alone: a redirect is an error status
      opener = urllib.request.build_opener(NoRedirect)
      def shown(text):
          return "".join(c if c.isprintable() else "?" for c in str(text))  # the API's words, not the terminal's commands
      def call(method, path, body=None):
          data = None if body is None else json.dumps(body).encode()
          headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
          with opener.open(urllib.request.Request(api + path, data, headers, method=method), timeout=60) as r:
              return json.load(r)
      def retry_after(headers):
          after = (headers or {}).get("Retry-After") or ""
          if after.isascii() and after.isdigit():
              after = after.lstrip("0") or "0"  # int() refuses thousands of digits
              return 120 if len(after) > 3 else min(max(int(after), 20), 120)
          try:  # or an HTTP date, which is in GMT even when it says -0000
              when = email.utils.parsedate_to_datetime(after)
              if when.tzinfo is None:
                  when = when.replace(tzinfo=datetime.timezone.utc)
              return min(max(int(when.timestamp() - time.time()), 20), 120)
          except (TypeError, ValueError, OverflowError):
              return 20
      def poll(path, known):
          wait = 0
          for _ in range(30):
              time.sleep(wait)
              wait = 20
              try:
                  answer = call("GET", path)
                  if isinstance(answer, dict) and isinstance(answer.get("status"), str):
                      return answer
                  print("poll got no status, trying again:", shown(answer)[:200], flush=True)
              except urllib.error.HTTPError as e:
                  e.close()
                  if e.code < 500 and e.code not in (408, 429) and (e.code != 404 or known):
                      sys.exit("poll failed: " + shown(e) + "; the remote job may still be running")
                  wait = retry_after(e.headers)
                  print("poll failed, trying again:", shown(e), flush=True)
              except (OSError, ValueError, RecursionError, http.client.HTTPException) as e:
                  print("poll failed, trying again:", shown(e), flush=True)
          sys.exit("30 polls in a row failed; the remote job may still be running")
      try:
          job = call("POST", "/v3/workflows/" + urllib.parse.quote(workflow, safe="") + "/jobs", {})["id"]
      except (OSError, ValueError, LookupError, TypeError, RecursionError, http.client.HTTPException) as e:
          sys.exit("alteryx: starting the job failed, though it may have been queued: " + shown(repr(e)))
      if not isinstance(job, (str, int)) or str(job) == "":
          sys.exit("alteryx: the answer gives no job id; the job may have been queued")
      job = str(job)
      print("Alteryx job", shown(job), "of", shown(workflow), flush=True)
      known = False  # a 404 is tried again until the job is seen: the API may not know it yet
      while True:
          time.sleep(20)
          answer = poll("/v3/jobs/" + urllib.parse.quote(job, safe=""), known)
          known = True
          status = answer["status"]
          print("status:", shown(status), shown(answer.get("disposition")), flush=True)
          if status in ("Completed", "Complete"):
              sys.exit(0 if answer.get("disposition") == "Success" else 1)
          if any(word in status.upper() for word in ("ERROR", "FAIL", "CANCEL")):
              sys.exit(1)
      PY
      }
      SH
      ,
      "MESHC_TOKEN={{token}} meshc_alteryx {{workflow}}",
    ]
  }

  # A test job runs the test's query, written to a .sql file beside the
  # pipelines ({{sql}}), and fails when it returns rows. meshc adds the
  # JUnit report that shows the result in merge requests.
  test {
    image = "python:3.12-slim"
    script = [
      "pip install --quiet --root-user-action=ignore snowflake-cli",
      "snow sql --temporary-connection --enable-templating NONE --format JSON --filename {{sql}} > failing_rows.json",
      "python3 -c 'import json, sys; rows = json.load(open(\"failing_rows.json\")); print(len(rows), \"failing rows\"); sys.exit(1 if rows else 0)'",
    ]
  }
}
