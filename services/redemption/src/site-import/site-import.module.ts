import { Module } from '@nestjs/common';
import { SitesModule } from '../sites/sites.module';
import { SiteImportController } from './site-import.controller';
import { SiteImportService } from './site-import.service';

@Module({
  imports: [SitesModule],
  controllers: [SiteImportController],
  providers: [SiteImportService],
})
export class SiteImportModule {}
