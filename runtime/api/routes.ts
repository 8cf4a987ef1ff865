// The route table: every endpoint berth serves, in one place.
import { streamEvents } from './eventHandlers';
import type { Handler } from './handler';
import { createImage, imageHistory, inspectImage, listImages, loadImages, pruneImages, removeImage, saveImages, tagImage } from './imageHandlers';
import { Router } from './router';
import { info, ping, version } from './systemHandlers';

export function dockerRoutes(): Router<Handler> {
  return new Router<Handler>()
    .add('GET', '/_ping', ping)
    .add('HEAD', '/_ping', ping)
    .add('GET', '/version', version)
    .add('GET', '/info', info)
    .add('GET', '/events', streamEvents)
    .add('GET', '/images/json', listImages)
    .add('GET', '/images/get', saveImages)
    .add('POST', '/images/load', loadImages)
    .add('POST', '/images/create', createImage)
    .add('POST', '/images/prune', pruneImages)
    .add('GET', '/images/{name}/json', inspectImage)
    .add('GET', '/images/{name}/history', imageHistory)
    .add('GET', '/images/{name}/get', saveImages)
    .add('POST', '/images/{name}/tag', tagImage)
    .add('DELETE', '/images/{name}', removeImage);
}
