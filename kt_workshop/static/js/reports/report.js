// The report page: send the form with fetch, follow the job's progress, list its files.
// Without this script the form posts, and the page refreshes itself until the job is done.

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
  for (const [message, kind] of [[error, "error"], ...problems.map((p) => [p, "info"])]) {
    if (!message) continue;
    const line = document.createElement("p");
    line.className = `flash flash-${kind}`;
    line.textContent = message;
    box.append(line);
  }
}

async function follow(statusUrl) {
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    for (;;) {
      const response = await fetch(statusUrl, { headers: { Accept: "application/json" } });
      const job = await response.json();
      bar.max = job.steps;
      bar.value = job.done ? job.steps : Math.max(job.number - 1, 0);
      text.textContent = job.done ? box.dataset.done : job.step;
      if (job.done) {
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
    button.disabled = false;
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
    if (!response || !response.ok) {
      errorLine.hidden = false;
      errorLine.textContent = body.error || errorLine.dataset.lost;
      return;
    }
    follow(body.status);
  });
}
