import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuthenticatedUser, assertActsFor } from '@app/auth';
import {
  SiteAccreditationRevoked,
  SiteAccredited,
  SiteReinstated,
  SiteRegistered,
  SiteRegisteredV1,
  SiteSuspended,
  SiteUpdated,
} from '@app/contracts';
import { TransactionHost } from '@app/database';
import { EventPublisher } from '@app/messaging';
import { Problem } from '@app/platform';
import { parisDay } from '@app/calendar';
import { AccreditationAction, decideTransition } from './accreditation';
import { AccreditSiteDto, DecisionDto } from './dto/accreditation.dto';
import { PayoutAccountDto, RegisterSiteDto } from './dto/register-site.dto';
import { departementOfInseeCode } from './site-location';
import { Site, SiteDetails } from './site.model';
import { NewSite, SiteRepository } from './site.repository';

/** The whole state of a site as SiteRegistered and SiteUpdated carry it. */
export function siteEventPayload(site: Pick<Site, 'id' | 'sourceId' | 'registeredBy'> & SiteDetails): SiteRegisteredV1 {
  return {
    siteId: site.id,
    name: site.name,
    siret: site.siret,
    rna: site.rna,
    departement: site.departement,
    postalCode: site.postalCode,
    inseeCode: site.inseeCode,
    iban: site.iban,
    bic: site.bic,
    labels: site.labels,
    source: site.sourceId ?? 'manual',
    registeredBy: site.registeredBy,
  };
}

@Injectable()
export class SitesService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly sites: SiteRepository,
    private readonly events: EventPublisher,
  ) {}

  /** The site (pending) and its SiteRegistered event are committed together. */
  register(command: RegisterSiteDto, operator: AuthenticatedUser): Promise<Site> {
    const details = this.detailsOf(command);
    return this.tx.run(async () => {
      const site: NewSite = { id: randomUUID(), details, sourceId: null, registeredBy: operator.subject };
      await this.sites.insertMany([site]);
      await this.events.publish(
        SiteRegistered,
        siteEventPayload({ ...details, id: site.id, sourceId: null, registeredBy: operator.subject }),
      );
      return (await this.sites.findById(site.id))!;
    });
  }

  /** Rules shared by a registration by hand and an import row. */
  detailsOf(command: RegisterSiteDto): SiteDetails {
    if (!command.siret === !command.rna) {
      throw Problem.unprocessable(
        'SITE_IDENTIFIER_REQUIRED',
        'Indiquez soit le SIRET, soit le numéro RNA du lieu (un seul des deux).',
      );
    }
    const departement = departementOfInseeCode(command.inseeCode);
    if (!departement) {
      throw Problem.unprocessable(
        'SITE_INSEE_CODE_UNKNOWN',
        `Le code INSEE ${command.inseeCode} ne correspond à aucun département couvert par le dispositif.`,
      );
    }
    if (command.departement && command.departement !== departement) {
      throw Problem.unprocessable(
        'SITE_DEPARTEMENT_MISMATCH',
        `Le département indiqué (${command.departement}) ne correspond pas au code INSEE ${command.inseeCode} (département ${departement}).`,
      );
    }
    if (!command.iban !== !command.bic) {
      throw Problem.unprocessable(
        'SITE_PAYOUT_ACCOUNT_INCOMPLETE',
        'Indiquez à la fois l’IBAN et le BIC du compte de versement, ou aucun des deux.',
      );
    }
    return {
      name: command.name,
      siret: command.siret ?? null,
      rna: command.rna ?? null,
      address: command.address,
      postalCode: command.postalCode,
      inseeCode: command.inseeCode,
      departement,
      contactEmail: command.contactEmail ?? null,
      contactPhone: command.contactPhone ?? null,
      iban: command.iban ?? null,
      bic: command.bic ?? null,
      labels: [...new Set(command.labels)],
    };
  }

  list(): Promise<Site[]> {
    return this.sites.list();
  }

  async get(id: string, user: AuthenticatedUser): Promise<Site> {
    assertActsFor(user, id);
    return this.existing(await this.sites.findById(id));
  }

  /** The payout account is checked (mod 97) by the DTO; funding learns it from SiteUpdated. */
  setPayoutAccount(id: string, account: PayoutAccountDto): Promise<Site> {
    return this.tx.run(async () => {
      const site = this.existing(await this.sites.lockById(id, 'UPDATE'));
      if (site.iban === account.iban && site.bic === account.bic) return site;
      const details = { ...site, iban: account.iban, bic: account.bic };
      await this.sites.updateDetails([{ id, details }]);
      await this.events.publish(SiteUpdated, siteEventPayload(details));
      return (await this.sites.findById(id))!;
    });
  }

  accredit(id: string, command: AccreditSiteDto, operator: AuthenticatedUser): Promise<Site> {
    if (command.validUntil < parisDay(new Date())) {
      throw Problem.unprocessable(
        'ACCREDITATION_END_IN_PAST',
        `La date de fin d'habilitation (${command.validUntil}) est déjà passée.`,
      );
    }
    return this.decide(id, 'accredit', command.reason, operator, command.validUntil, async (site) => {
      if (!site.iban || !site.bic) {
        throw Problem.conflict(
          'SITE_PAYOUT_ACCOUNT_MISSING',
          "Ce lieu n'a pas encore de compte de versement (IBAN et BIC) vérifié : renseignez-le avant de l'habiliter.",
        );
      }
      await this.events.publish(SiteAccredited, {
        siteId: id,
        validUntil: command.validUntil,
        reason: command.reason,
        decidedBy: operator.subject,
      });
    });
  }

  suspend(id: string, command: DecisionDto, operator: AuthenticatedUser): Promise<Site> {
    return this.decide(id, 'suspend', command.reason, operator, null, () =>
      this.events
        .publish(SiteSuspended, { siteId: id, reason: command.reason, decidedBy: operator.subject })
        .then(() => undefined),
    );
  }

  reinstate(id: string, command: DecisionDto, operator: AuthenticatedUser): Promise<Site> {
    return this.decide(id, 'reinstate', command.reason, operator, null, () =>
      this.events
        .publish(SiteReinstated, { siteId: id, reason: command.reason, decidedBy: operator.subject })
        .then(() => undefined),
    );
  }

  revoke(id: string, command: DecisionDto, operator: AuthenticatedUser): Promise<Site> {
    return this.decide(id, 'revoke', command.reason, operator, null, () =>
      this.events
        .publish(SiteAccreditationRevoked, { siteId: id, reason: command.reason, decidedBy: operator.subject })
        .then(() => undefined),
    );
  }

  /** One change of accreditation: the site is locked so two operators' decisions apply one after the other. */
  private decide(
    id: string,
    action: AccreditationAction,
    reason: string,
    operator: AuthenticatedUser,
    validUntil: string | null,
    announce: (site: Site) => Promise<void>,
  ): Promise<Site> {
    return this.tx.run(async () => {
      const site = this.existing(await this.sites.lockById(id, 'UPDATE'));
      const decision = decideTransition(site.status, action);
      if (!decision.allowed)
        throw Problem.conflict('SITE_TRANSITION_NOT_ALLOWED', decision.message, { status: site.status, action });
      await announce(site);
      await this.sites.recordDecision({
        siteId: id,
        from: site.status,
        to: decision.to,
        validUntil,
        reason,
        decidedBy: operator.subject,
      });
      return (await this.sites.findById(id))!;
    });
  }

  private existing(site: Site | null): Site {
    if (!site) throw Problem.notFound('SITE_NOT_FOUND', 'Lieu de médiation introuvable.');
    return site;
  }
}
