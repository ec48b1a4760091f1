import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Max, Min } from 'class-validator';
import { parseEnv } from '@app/platform';

const url = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/** The web application's environment, validated at start like the services'. */
export class WebEnv {
  @IsOptional() @IsString() NODE_ENV: string = 'development';
  @Transform(({ value }) => Number(value)) @IsInt() @Min(0) @Max(65535) PORT: number = 3000;
  @IsString() HOST: string = '0.0.0.0';
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace']) LOG_LEVEL: string = 'info';
  @IsUrl(url) ISSUANCE_URL: string = 'http://127.0.0.1:3001';
  @IsUrl(url) REDEMPTION_URL: string = 'http://127.0.0.1:3002';
  @IsUrl(url) FUNDING_URL: string = 'http://127.0.0.1:3003';
  @IsUrl(url) REPORTING_URL: string = 'http://127.0.0.1:3004';
  /** Development sign-in signs tokens with this PEM (PKCS#8) key; else with the repository's development key pair. */
  @IsOptional() @IsString() DEV_SIGNING_KEY?: string;
  @Transform(({ value }) => Number(value)) @IsInt() @Min(5) @Max(720) SESSION_TTL_MINUTES: number = 480;
  /** Secure cookies need HTTPS: on by default in production only. */
  @IsOptional() @IsIn(['true', 'false']) COOKIE_SECURE?: string;
}

export interface WebConfig {
  port: number;
  host: string;
  logLevel: string;
  production: boolean;
  cookieSecure: boolean;
  sessionTtlMs: number;
  devSigningKey?: string;
  urls: { issuance: string; redemption: string; funding: string; reporting: string };
}

export const WEB_CONFIG = Symbol('WEB_CONFIG');

export function loadWebConfig(env: NodeJS.ProcessEnv): WebConfig {
  const e = parseEnv(WebEnv, env, 'web');
  const production = e.NODE_ENV === 'production';
  const trim = (u: string) => u.replace(/\/+$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    production,
    cookieSecure: e.COOKIE_SECURE ? e.COOKIE_SECURE === 'true' : production,
    sessionTtlMs: e.SESSION_TTL_MINUTES * 60_000,
    devSigningKey: e.DEV_SIGNING_KEY,
    urls: {
      issuance: trim(e.ISSUANCE_URL),
      redemption: trim(e.REDEMPTION_URL),
      funding: trim(e.FUNDING_URL),
      reporting: trim(e.REPORTING_URL),
    },
  };
}
