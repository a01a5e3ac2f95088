// Sends the deep-linking answer to the platform at once (the button stays for
// browsers without JavaScript). A static file: the site's CSP forbids inline code.
document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-autosubmit]");
    if (form) {
        form.submit();
    }
});
