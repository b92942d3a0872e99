/**
 * Requests to the server extension's routes under /assessment-kit/api/.
 *
 * ServerConnection adds the token and the XSRF header Jupyter Server checks.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** A refusal from the server, with its catalogued code (assessment_kit/errors.py). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number
  ) {
    super(message);
  }
}

export async function requestAPI<T>(
  route: string,
  init: RequestInit = {},
  query: Record<string, string> = {}
): Promise<T> {
  const settings = ServerConnection.makeSettings();
  let url = URLExt.join(settings.baseUrl, 'assessment-kit', 'api', route);
  if (Object.keys(query).length) {
    url += URLExt.objectToQueryString(query);
  }
  const response = await ServerConnection.makeRequest(url, init, settings);
  const text = await response.text();
  let data: any = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = { message: text };
  }
  if (!response.ok) {
    throw new ApiError(
      data.message || response.statusText,
      data.code || '',
      response.status
    );
  }
  return data as T;
}

export function postAPI<T>(route: string, body: unknown): Promise<T> {
  return requestAPI<T>(route, { method: 'POST', body: JSON.stringify(body) });
}
