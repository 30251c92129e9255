// axios imports follow-redirects (and with it `debug`) for redirect support. The client sets
// `maxRedirects: 0` (an API that redirects is not followed with the key attached), so axios
// only ever uses Node's own transports; esbuild.js maps the package to them.
module.exports = { http: require('http'), https: require('https') };
