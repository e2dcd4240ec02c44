// The jobs panel: queued, running (with progress), failed (with the error) and finished jobs,
// a cancel button, and adding media by a path under an allowed folder or by an upload.
// Uses api(), el(), $() and showError() from app.js; polls /api/jobs while the panel is open.
"use strict";

const JOBS_POLL_MS = 1500;
const jobsState = { timer: null, open: false };

function jobFiles(job) {
  const paths = job.payload.paths.length ? job.payload.paths : job.payload.asset_ids;
  const title = job.payload.title ? `${job.payload.title}: ` : "";
  return title + paths.join(", ");
}

function jobProgress(job) {
  const steps = Object.entries(job.progress || {}).sort((a, b) => a[1].step - b[1].step);
  const box = el("div", "job-progress");
  for (const [algo, step] of steps) {
    const line = el("div", "job-step");
    const label = step.finished
      ? `${algo}: done`
      : step.total
        ? `${algo}: ${step.done}/${step.total}`
        : `${algo}: ${step.done}`;
    line.append(el("span", null, label));
    if (!step.finished && step.total) {
      const bar = el("progress");
      bar.max = step.total;
      bar.value = step.done;
      line.append(bar);
    }
    box.append(line);
  }
  return box;
}

function renderJob(job) {
  const item = el("li", `job ${job.state}`);
  item.dataset.jobId = String(job.id);
  item.append(el("span", "job-id", `#${job.id}`));
  const state = job.cancel_requested && job.state === "running" ? "cancelling" : job.state;
  item.append(el("span", "job-state", state));
  const body = el("div", "job-body");
  body.append(el("div", "job-files", jobFiles(job)));
  if (job.state === "running") body.append(jobProgress(job));
  item.append(body);
  if (job.state === "queued" || (job.state === "running" && !job.cancel_requested)) {
    const cancel = el("button", "ghost job-cancel", "Cancel");
    cancel.type = "button";
    cancel.addEventListener("click", () => cancelJob(job.id));
    item.append(cancel);
  } else {
    item.append(el("span"));
  }
  if (job.state === "failed" && job.error) item.append(el("div", "job-error", job.error));
  return item;
}

async function refreshJobs() {
  try {
    const listing = await api("/api/jobs?limit=50");
    $("jobs-list").replaceChildren(...listing.jobs.map(renderJob));
    const c = listing.counts;
    $("jobs-counts").textContent =
      `${c.queued} queued · ${c.running} running · ${c.failed} failed · ${c.done} done`;
    const active = c.queued + c.running;
    $("jobs-badge").textContent = String(active);
    $("jobs-badge").hidden = active === 0;
  } catch (error) {
    showError(error);
  }
}

async function cancelJob(id) {
  try {
    await api(`/api/jobs/${id}`, { method: "DELETE" });
  } catch (error) {
    showError(error);
  }
  await refreshJobs();
}

async function addByPath(event) {
  event.preventDefault();
  const path = $("add-path-input").value.trim();
  const title = $("add-title").value.trim();
  if (!path) return;
  try {
    await api("/api/ingest", { json: title ? { paths: [path], title } : { paths: [path] } });
    $("add-path-input").value = "";
  } catch (error) {
    showError(error);
  }
  await refreshJobs();
}

async function addByUpload() {
  const file = $("upload-input").files[0];
  $("upload-input").value = "";
  if (!file) return;
  const form = new FormData();
  form.append("file", file);
  const title = $("add-title").value.trim();
  if (title) form.append("title", title);
  try {
    await api("/api/ingest/upload", { method: "POST", body: form });
  } catch (error) {
    showError(error);
  }
  await refreshJobs();
}

function toggleJobs() {
  jobsState.open = !jobsState.open;
  $("jobs-panel").hidden = !jobsState.open;
  $("jobs-button").setAttribute("aria-expanded", String(jobsState.open));
  clearInterval(jobsState.timer);
  jobsState.timer = null;
  if (jobsState.open) {
    refreshJobs();
    jobsState.timer = setInterval(refreshJobs, JOBS_POLL_MS);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("jobs-button").addEventListener("click", toggleJobs);
  $("add-path").addEventListener("submit", addByPath);
  $("upload-input").addEventListener("change", addByUpload);
});
