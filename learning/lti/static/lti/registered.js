// LTI Dynamic Registration: tell the platform the registration is done, so it
// closes this window or frame (https://www.imsglobal.org/spec/lti-dr/v1p0).
(window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
