// The sign-in pop-up's last page: the framed Insight that opened it picks the sign-in up by itself (it asks the
// server), so this window only has to go. A browser may refuse to close it; the page then says to close it.
setTimeout(() => window.close(), 1500);
