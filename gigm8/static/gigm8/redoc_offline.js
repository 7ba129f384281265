// Loaded before ReDoc's bundle. ReDoc's sidebar always draws "API docs by Redocly" with a logo
// hot-linked from its CDN, and no option turns it off. The docs fetch nothing from another host
// (the Content-Security-Policy would block it and report a violation), so an image source on
// that CDN is emptied before the browser requests it; ReDoc's own onError then drops the image.
(function () {
  var FOREIGN = /^https?:\/\/cdn\.redoc\.ly\//i;
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this instanceof HTMLImageElement && String(name).toLowerCase() === "src" && FOREIGN.test(String(value))) {
      value = "";
    }
    return setAttribute.call(this, name, value);
  };
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: src.enumerable,
    get: src.get,
    set: function (value) { src.set.call(this, FOREIGN.test(String(value)) ? "" : value); },
  });
})();
