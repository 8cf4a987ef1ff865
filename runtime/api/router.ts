// Matches a method and a path (already stripped of its /v1.NN prefix) to a handler. `{name}`
// in a pattern matches one or more characters including slashes, so image names such as
// `127.0.0.1:5000/a/b` work as in Docker: `/images/{name}/json` matches the suffix.

export interface RouteMatch<H> {
  handler: H;
  params: Record<string, string>;
}

interface Route<H> {
  method: string;
  regex: RegExp;
  names: string[];
  handler: H;
}

export class Router<H> {
  private readonly routes: Route<H>[] = [];

  add(method: string, pattern: string, handler: H): this {
    const names: string[] = [];
    const source = pattern
      .split(/(\{[a-z]+\})/i)
      .map((part) => {
        const param = /^\{([a-z]+)\}$/i.exec(part);
        if (param === null) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
        names.push(param[1]);
        return '(.+)';
      })
      .join('');
    this.routes.push({ method, regex: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  /** HEAD also finds GET routes. Throws URIError on a malformed %-escape in a parameter. */
  match(method: string, path: string): RouteMatch<H> | undefined {
    for (const route of this.routes) {
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) continue;
      const found = route.regex.exec(path);
      if (found === null) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = decodeURIComponent(found[i + 1])));
      return { handler: route.handler, params };
    }
    return undefined;
  }
}
