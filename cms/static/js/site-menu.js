// The header's menu on narrow screens: a disclosure button (aria-expanded,
// aria-controls) that shows and hides the main menu. Loaded as a file: the
// Content-Security-Policy forbids inline scripts. Without this script the
// button never shows and the menu stays open (CSS: .site-header--menu).
(function () {
  var header = document.querySelector(".site-header");
  if (!header) return;
  var button = header.querySelector(".menu-button");
  var nav = document.getElementById(button && button.getAttribute("aria-controls"));
  if (!button || !nav) return;

  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    header.classList.toggle("site-header--open", open);
  }

  button.hidden = false;
  header.classList.add("site-header--menu");
  setOpen(false);

  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  // Escape closes the open menu and gives the focus back to its button.
  header.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") return;
    if (getComputedStyle(button).display === "none") return; // wide screen: no menu
    setOpen(false);
    button.focus();
  });
})();
