// Counts down the time left of a timed quiz. The server enforces the limit:
// this only informs. Announces the last minute to screen-reader users once.
(function () {
  var timer = document.querySelector("[data-seconds-left]");
  if (!timer) return;
  var value = timer.querySelector(".quiz-timer__value");
  var left = parseInt(timer.getAttribute("data-seconds-left"), 10);
  var announced = false;
  function show() {
    var minutes = Math.floor(left / 60);
    var seconds = left % 60;
    value.textContent = minutes + " min " + (seconds < 10 ? "0" : "") + seconds + " s";
    if (left <= 60 && !announced) {
      timer.setAttribute("aria-live", "assertive");
      announced = true;
    }
  }
  show();
  var interval = setInterval(function () {
    left = Math.max(0, left - 1);
    show();
    if (left === 0) clearInterval(interval);
  }, 1000);
})();
