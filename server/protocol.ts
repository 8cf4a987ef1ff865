// berth's additions to LSP, shared by the server and its clients (the extension, tests).
// A leaf module: it imports only types.
import type { LocalImage } from './service/imageCompletion';

export type { LocalImage };

/**
 * Server → client request: the images the client's berth agent has locally, for FROM
 * completion. The server only sends it when the client sets
 * `initializationOptions.localImages: true`. Result: LocalImage[].
 */
export const LOCAL_IMAGES_REQUEST = 'berth/localImages';

export interface InitializationOptions {
  /** The client answers LOCAL_IMAGES_REQUEST. */
  localImages?: boolean;
}
