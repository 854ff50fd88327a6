// The report page: send the form with fetch, follow the job's progress, list its files.
// A pack already being written when the page opens is followed too, and a second "Generate"
// while one runs follows that one. Without this script the form posts, and the page refreshes
// itself until the job is done.

const form = document.querySelector(".js-report");
const box = document.querySelector(".report-progress");
const bar = box ? box.querySelector("progress") : null;
const text = box ? box.querySelector(".progress-text") : null;
const errorLine = document.querySelector(".js-report-error");
const fileList = document.querySelector(".file-list");

function showFiles(files) {
  fileList.replaceChildren();
  for (const file of files) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = file.url;
    link.textContent = file.name;
    item.append(link);
    fileList.append(item);
  }
}

function showProblems(problems, error) {
  for (const old of box.querySelectorAll(".flash")) old.remove();
  box.hidden = false;
  for (const [message, kind] of [[error, "error"], ...problems.map((p) => [p, "info"])]) {
    if (!message) continue;
    const line = document.createElement("p");
    line.className = `flash flash-${kind}`;
    line.textContent = message;
    box.append(line);
  }
}

let following = "";

async function follow(statusUrl) {
  // The button stays usable: pressed again while a pack is written, the server says so and
  // this keeps showing that pack's progress (one loop per job).
  box.hidden = false;
  if (following === statusUrl) return;
  following = statusUrl;
  try {
    for (;;) {
      const response = await fetch(statusUrl, { headers: { Accept: "application/json" } });
      const job = await response.json();
      bar.max = job.steps;
      bar.value = job.done ? job.steps : Math.max(job.number - 1, 0);
      text.textContent = job.done ? box.dataset.done : job.step;
      if (job.done) {
        box.dataset.statusUrl = "";
        showProblems(job.problems, job.error);
        if (job.files.length) showFiles(job.files);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
  } catch (error) {
    errorLine.hidden = false;
    errorLine.textContent = errorLine.dataset.lost;
  } finally {
    following = "";
  }
}

if (form) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorLine.hidden = true;
    box.hidden = false;
    const response = await fetch(form.getAttribute("action"), {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).catch(() => null);
    const body = response ? await response.json().catch(() => ({})) : {};
    if (response && response.status === 409 && body.status) {
      // One is being written already: say so, and show that one's progress instead.
      showProblems([body.error], "");
      follow(body.status);
      return;
    }
    if (!response || !response.ok) {
      errorLine.hidden = false;
      errorLine.textContent = body.error || errorLine.dataset.lost;
      return;
    }
    follow(body.status);
  });
  if (box.dataset.statusUrl) follow(box.dataset.statusUrl);
}
