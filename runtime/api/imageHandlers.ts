// The image routes: list, inspect, history, tag, remove, prune, load, save and import.
import { ApiError, toApiError } from './apiError';
import { deleteItem, historyItem, imageInspect, imageListItem, matchesReference } from './dockerImageJson';
import type { HandlerContext } from './handler';
import { booleanFilter } from './queryParams';
import { JsonLineStream, sendEmpty, sendJson } from './responses';

/** `GET /images/json?all&filters` */
export async function listImages({ res, query, engine }: HandlerContext): Promise<void> {
  query.bool('all');
  query.bool('digests');
  const filters = query.filters(['reference', 'dangling', 'label']);
  const dangling = booleanFilter(filters, 'dangling');
  const references = filters.get('reference') ?? [];
  const labels = (filters.get('label') ?? []).map(parseLabelFilter);
  const { images } = await engine.images.list();
  const shown = images.filter((image) => {
    if (dangling !== undefined && (image.repoTags.length === 0) !== dangling) return false;
    if (references.length > 0 && !references.some((pattern) => matchesReference(pattern, image.repoTags))) return false;
    return labels.every(([key, value]) => (value === undefined ? key in image.labels : image.labels[key] === value));
  });
  // Newest first, as dockerd lists them.
  shown.sort((a, b) => (b.created ?? '').localeCompare(a.created ?? ''));
  sendJson(res, 200, shown.map(imageListItem));
}

function parseLabelFilter(filter: string): [string, string | undefined] {
  const eq = filter.indexOf('=');
  return eq < 0 ? [filter, undefined] : [filter.slice(0, eq), filter.slice(eq + 1)];
}

/** `GET /images/{name}/json` */
export async function inspectImage({ res, params, engine }: HandlerContext): Promise<void> {
  const image = await engine.images.inspect(params.name);
  const history = await engine.images.history(params.name);
  sendJson(res, 200, imageInspect(image, history[0]?.comment ?? ''));
}

/** `GET /images/{name}/history` */
export async function imageHistory({ res, params, engine }: HandlerContext): Promise<void> {
  sendJson(res, 200, (await engine.images.history(params.name)).map(historyItem));
}

/** `POST /images/{name}/tag?repo&tag` → 201 */
export async function tagImage({ res, params, query, engine }: HandlerContext): Promise<void> {
  const repo = query.required('repo');
  const tag = query.string('tag') ?? '';
  const target = tag === '' ? repo : `${repo}:${tag}`;
  await engine.images.tag(params.name, target);
  sendEmpty(res, 201);
}

/** `DELETE /images/{name}?force&noprune` */
export async function removeImage({ res, params, query, engine }: HandlerContext): Promise<void> {
  const items = await engine.images.remove(params.name, { force: query.bool('force'), noPrune: query.bool('noprune') });
  sendJson(res, 200, items.map(deleteItem));
}

/** `POST /images/prune?filters={"dangling":{"false":true}}` */
export async function pruneImages({ res, query, engine }: HandlerContext): Promise<void> {
  const filters = query.filters(['dangling']);
  const danglingOnly = booleanFilter(filters, 'dangling') ?? true;
  const result = await engine.images.prune({ all: !danglingOnly });
  sendJson(res, 200, { ImagesDeleted: result.items.length > 0 ? result.items.map(deleteItem) : null, SpaceReclaimed: result.bytesFreed });
}

/** `POST /images/load?quiet` with a tar body → `{"stream":"Loaded image: …\n"}` lines */
export async function loadImages({ req, res, query, engine }: HandlerContext): Promise<void> {
  query.bool('quiet');
  const stream = new JsonLineStream(res);
  try {
    await engine.images.load(req, (line) => stream.write({ stream: `${line}\n` }));
  } catch (error) {
    if (!stream.started) throw error;
    stream.fail(toApiError(error).message);
  }
  stream.end();
}

/** `GET /images/get?names=a&names=b` and `GET /images/{name}/get` → a tar */
export async function saveImages({ res, params, query, engine }: HandlerContext): Promise<void> {
  const names = params.name !== undefined ? [params.name] : query.all('names');
  if (names.length === 0 || names.some((name) => name === '')) throw new ApiError(400, 'name at least one image to save: names=<image>');
  const archive = await engine.images.save(names);
  res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  archive.on('error', () => res.destroy()); // a truncated archive must not look complete
  res.on('close', () => archive.destroy());
  archive.pipe(res);
}

/** `POST /images/create?fromSrc=-&repo&tag&message` with a rootfs tar body (`docker import`) */
export async function createImage({ req, res, query, engine }: HandlerContext): Promise<void> {
  if (query.string('fromImage') !== undefined) throw new ApiError(400, 'berth does not support pulling images (POST /images/create?fromImage=…) yet; load or import the image instead');
  const fromSrc = query.required('fromSrc');
  if (fromSrc !== '-') throw new ApiError(400, `berth imports only from the request body (fromSrc=-), not from ${JSON.stringify(fromSrc)}; download the file and import it`);
  if (query.all('changes').some((change) => change !== '')) throw new ApiError(400, 'berth does not support `docker import --change` yet; import without it');
  const repo = query.string('repo') ?? '';
  const tag = query.string('tag') ?? '';
  if (repo === '' && tag !== '') throw new ApiError(400, `a tag (${JSON.stringify(tag)}) needs a repository: repo=<name>`);
  const ref = repo === '' ? undefined : tag === '' ? repo : `${repo}:${tag}`;
  const message = query.string('message');
  const platform = query.string('platform');
  const id = await engine.images.importRootfs(req, ref, {
    ...(message !== undefined && message !== '' ? { message } : {}),
    ...(platform !== undefined && platform !== '' ? { platform } : {}),
  });
  const stream = new JsonLineStream(res);
  stream.write({ status: id });
  stream.end();
}
