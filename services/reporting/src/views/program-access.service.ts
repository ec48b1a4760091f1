import { Injectable } from '@nestjs/common';
import { AuthenticatedUser } from '@app/auth';
import { Problem, ProblemCodes } from '@app/platform';
import { GenerationRepository } from '../projection/generation.repository';
import { ViewsRepository } from './views.repository';

/** What reading a program can be refused with, for the OpenAPI document. */
export const PROGRAM_READ_PROBLEMS = {
  403: ['REPORTING_ROLE_FORBIDDEN', 'PROGRAM_NOT_FUNDED_BY_CALLER'],
  404: ['PROGRAM_NOT_FOUND'],
} satisfies ProblemCodes;

/** Who may read what: the operator every program, a funder the programs where it has a funding line. */
@Injectable()
export class ProgramAccessService {
  constructor(
    private readonly generations: GenerationRepository,
    private readonly views: ViewsRepository,
  ) {}

  /** The funder whose programs the caller may see, or null for all of them. */
  funderScope(user: AuthenticatedUser): string | null {
    if (user.role === 'operator') return null;
    if (user.role === 'funder' && user.org) return user.org;
    throw Problem.forbidden(
      'REPORTING_ROLE_FORBIDDEN',
      'Seuls l’opérateur et les financeurs consultent les tableaux de bord.',
    );
  }

  /** The generation to read, once the caller is known to see the program. */
  async readableProgram(user: AuthenticatedUser, programId: string, generation?: number): Promise<number> {
    const scope = this.funderScope(user);
    const gen = generation ?? (await this.generations.active());
    const funders = await this.views.programFunders(gen, programId);
    if (!funders) throw Problem.notFound('PROGRAM_NOT_FOUND', `Aucun programme ${programId} n’est connu du reporting.`);
    if (scope !== null && !funders.includes(scope)) {
      throw Problem.forbidden(
        'PROGRAM_NOT_FUNDED_BY_CALLER',
        'Ce programme n’a pas de ligne de financement de votre organisme.',
      );
    }
    return gen;
  }
}
