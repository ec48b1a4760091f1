import { Module } from '@nestjs/common';
import { AuditController } from '../audit/audit.controller';
import { AuditRepository } from '../audit/audit.repository';
import { AuditService } from '../audit/audit.service';
import { ExportRepository } from '../exports/export.repository';
import { ExportsController } from '../exports/exports.controller';
import { ExportsService } from '../exports/exports.service';
import { ProjectionModule } from '../projection/projection.module';
import { ProgramAccessService } from './program-access.service';
import { ProgramsController } from './programs.controller';
import { ReportingService } from './reporting.service';
import { ViewsRepository } from './views.repository';

/** Everything that reads the read models: JSON views, the audit trail and the CSV exports. */
@Module({
  imports: [ProjectionModule],
  controllers: [ProgramsController, AuditController, ExportsController],
  providers: [
    ViewsRepository,
    ProgramAccessService,
    ReportingService,
    AuditRepository,
    AuditService,
    ExportRepository,
    ExportsService,
  ],
})
export class ViewsModule {}
