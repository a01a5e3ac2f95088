// Polls the export's status every two seconds until it is ready, failed or expired.
(function () {
  const box = document.querySelector("[data-records-export]");
  if (!box || ["done", "failed", "expired"].includes(box.dataset.status)) return;
  const bar = box.querySelector("progress");
  const percent = box.querySelector("[data-percent]");
  const display = box.querySelector("[data-status-display]");
  const download = box.querySelector("[data-download]");
  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, { credentials: "same-origin" });
      if (!response.ok) return;
      const state = await response.json();
      bar.value = state.percent;
      percent.textContent = state.percent;
      display.textContent = state.status_display;
      box.dataset.status = state.status;
      if (state.status === "done") { download.hidden = false; return; }
      if (["failed", "expired"].includes(state.status)) { window.location.reload(); return; }
    } catch (error) { /* network hiccup: try again */ }
    window.setTimeout(poll, 2000);
  }
  window.setTimeout(poll, 2000);
})();
